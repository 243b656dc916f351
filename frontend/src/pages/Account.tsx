// Sign in and sign up (email and password, the service's own message when it refuses, and
// when to try again after too many attempts), and the account's page: change the password,
// log out everywhere.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link, useLocation, useNavigate } from "react-router-dom";
import { api, ApiError, ok, type Schemas } from "../api/client";
import { keys } from "../api/queries";
import { useAuth } from "../auth";
import { ErrorNotice } from "../components/Notice";
import { PageTitle } from "../components/PageTitle";
import { useText } from "../i18n";

const TEXT = {
  en: {
    signIn: "Sign in",
    signUp: "Create an account",
    email: "Email",
    password: "Password",
    passwordHint: "At least 8 characters.",
    noAccount: "No account yet?",
    haveAccount: "Already have an account?",
    working: "One moment…",
    intro: "Konstruktor turns a folder of images into a trained model you can download and run.",
    paused:
      "Sign-in is paused after repeated failed attempts, to protect the account from guessing. The message above says when to try again.",
  },
  ru: {
    signIn: "Войти",
    signUp: "Создать аккаунт",
    email: "Электронная почта",
    password: "Пароль",
    passwordHint: "Не короче 8 символов.",
    noAccount: "Ещё нет аккаунта?",
    haveAccount: "Уже есть аккаунт?",
    working: "Минутку…",
    intro: "Konstruktor превращает папку с изображениями в обученную модель, которую можно скачать и запустить.",
    paused:
      "После нескольких неудачных попыток вход приостановлен, чтобы защитить аккаунт от подбора пароля. Сообщение выше говорит, когда попробовать снова.",
  },
};

function AccountForm({ mode }: { mode: "signIn" | "signUp" }) {
  const t = useText(TEXT);
  const { signIn, signUp } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const from = (location.state as { from?: string } | null)?.from ?? "/projects";

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await (mode === "signIn" ? signIn : signUp)(email, password);
      navigate(from, { replace: true });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="card" style={{ maxWidth: "28rem", margin: "2rem auto" }}>
      <PageTitle title={t[mode]}>{t[mode]}</PageTitle>
      <p className="muted">{t.intro}</p>
      <ErrorNotice
        error={error}
        action={mode === "signIn" && error instanceof ApiError && error.status === 429 ? <p>{t.paused}</p> : undefined}
      />
      <form onSubmit={submit} noValidate={false}>
        <div className="field">
          <label htmlFor="email">{t.email}</label>
          <input
            id="email"
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="password">{t.password}</label>
          <input
            id="password"
            type="password"
            autoComplete={mode === "signIn" ? "current-password" : "new-password"}
            minLength={8}
            required
            aria-describedby="password-hint"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
          <small id="password-hint">{t.passwordHint}</small>
        </div>
        <div className="actions">
          <button type="submit" disabled={busy}>
            {busy ? t.working : t[mode]}
          </button>
        </div>
      </form>
      {mode === "signIn" ? (
        <p>
          {t.noAccount} <Link to="/signup">{t.signUp}</Link>
        </p>
      ) : (
        <p>
          {t.haveAccount} <Link to="/login">{t.signIn}</Link>
        </p>
      )}
    </div>
  );
}

export function LoginPage() {
  return <AccountForm mode="signIn" />;
}

export function SignupPage() {
  return <AccountForm mode="signUp" />;
}

const ACCOUNT_TEXT = {
  en: {
    title: "Your account",
    signedInAs: (email: string) => `Signed in as ${email}.`,
    passwordTitle: "Change password",
    current: "Current password",
    next: "New password",
    nextHint: "At least 8 characters.",
    revokeKeys: "Also revoke all my API keys",
    revokeKeysHint: "Scripts that use them stop working; create new keys on the API keys page.",
    change: "Change password",
    changed: "Password changed. Every other sign-in of yours was signed out; this one stays.",
    changedAndKeys: "Password changed. Every other sign-in of yours was signed out and your API keys were revoked.",
    everywhereTitle: "Log out everywhere",
    everywhereIntro:
      "Signs out every browser and device signed in to your account, this one too. API keys keep working: revoke them on the API keys page.",
    everywhere: "Log out everywhere",
    confirm: "Log out of every browser and device, this one too?",
    cancel: "Stay signed in",
    working: "One moment…",
  },
  ru: {
    title: "Ваш аккаунт",
    signedInAs: (email: string) => `Вы вошли как ${email}.`,
    passwordTitle: "Смена пароля",
    current: "Текущий пароль",
    next: "Новый пароль",
    nextHint: "Не короче 8 символов.",
    revokeKeys: "Также отозвать все мои ключи API",
    revokeKeysHint: "Скрипты, которые их используют, перестанут работать; новые ключи создаются на странице «Ключи API».",
    change: "Сменить пароль",
    changed: "Пароль изменён. Все остальные ваши входы завершены; этот остаётся.",
    changedAndKeys: "Пароль изменён. Все остальные ваши входы завершены, ключи API отозваны.",
    everywhereTitle: "Выйти везде",
    everywhereIntro:
      "Завершает вход во всех браузерах и на всех устройствах, включая этот. Ключи API продолжают работать: их отзывают на странице «Ключи API».",
    everywhere: "Выйти везде",
    confirm: "Выйти во всех браузерах и на всех устройствах, включая этот?",
    cancel: "Остаться",
    working: "Минутку…",
  },
};

type PasswordChange = Schemas["PasswordChange"];

function ChangePassword() {
  const t = useText(ACCOUNT_TEXT);
  const queryClient = useQueryClient();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [revokeKeys, setRevokeKeys] = useState(false);
  const change = useMutation({
    mutationFn: async (body: PasswordChange) => ok(await api.POST("/api/v1/auth/password", { body })),
    onSuccess: (_done, body) => {
      setCurrent("");
      setNext("");
      if (body.revoke_api_keys) void queryClient.invalidateQueries({ queryKey: keys.apiKeys });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    change.mutate({ current_password: current, new_password: next, revoke_api_keys: revokeKeys });
  };
  return (
    <section aria-labelledby="password-title" className="card">
      <h2 id="password-title">{t.passwordTitle}</h2>
      <ErrorNotice error={change.error} />
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="current-password">{t.current}</label>
          <input
            id="current-password"
            type="password"
            autoComplete="current-password"
            required
            value={current}
            onChange={(event) => setCurrent(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="new-password">{t.next}</label>
          <input
            id="new-password"
            type="password"
            autoComplete="new-password"
            minLength={8}
            required
            aria-describedby="new-password-hint"
            value={next}
            onChange={(event) => setNext(event.target.value)}
          />
          <small id="new-password-hint">{t.nextHint}</small>
        </div>
        <div className="field">
          <span>
            <input
              id="revoke-keys"
              type="checkbox"
              checked={revokeKeys}
              aria-describedby="revoke-keys-hint"
              onChange={(event) => setRevokeKeys(event.target.checked)}
            />{" "}
            <label htmlFor="revoke-keys">{t.revokeKeys}</label>
          </span>
          <small id="revoke-keys-hint">{t.revokeKeysHint}</small>
        </div>
        <div className="actions">
          <button type="submit" disabled={change.isPending}>
            {change.isPending ? t.working : t.change}
          </button>
        </div>
      </form>
      <p role="status">{change.isSuccess ? (change.variables.revoke_api_keys ? t.changedAndKeys : t.changed) : ""}</p>
    </section>
  );
}

function LogOutEverywhere() {
  const t = useText(ACCOUNT_TEXT);
  const { signOut } = useAuth();
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);
  const confirmButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);
  const everywhere = useMutation({
    mutationFn: async () => ok(await api.POST("/api/v1/auth/logout-all")),
    onSuccess: async () => {
      await signOut(); // forgets the token here (the service has revoked it already)
      navigate("/login", { replace: true });
    },
  });
  return (
    <section aria-labelledby="everywhere-title" className="card">
      <h2 id="everywhere-title">{t.everywhereTitle}</h2>
      <p>{t.everywhereIntro}</p>
      <ErrorNotice error={everywhere.error} />
      {confirming ? (
        <div role="alertdialog" aria-labelledby="everywhere-confirm" className="notice notice-warning">
          <p id="everywhere-confirm">{t.confirm}</p>
          <div className="actions">
            <button
              ref={confirmButton}
              type="button"
              className="button-danger"
              disabled={everywhere.isPending}
              onClick={() => everywhere.mutate()}
            >
              {t.everywhere}
            </button>
            <button type="button" className="button-secondary" onClick={() => setConfirming(false)}>
              {t.cancel}
            </button>
          </div>
        </div>
      ) : (
        <div className="actions">
          <button type="button" className="button-secondary" onClick={() => setConfirming(true)}>
            {t.everywhere}
          </button>
        </div>
      )}
    </section>
  );
}

export function AccountPage() {
  const t = useText(ACCOUNT_TEXT);
  const { email } = useAuth();
  return (
    <div style={{ maxWidth: "36rem" }}>
      <PageTitle title={t.title}>{t.title}</PageTitle>
      {email && <p className="muted">{t.signedInAs(email)}</p>}
      <ChangePassword />
      <LogOutEverywhere />
    </div>
  );
}
