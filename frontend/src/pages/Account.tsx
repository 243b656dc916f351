// Sign in and sign up: email and password, the service's own message when it refuses.
import { useState, type FormEvent } from "react";
import { Link, useLocation, useNavigate } from "react-router-dom";
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
      <ErrorNotice error={error} />
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
