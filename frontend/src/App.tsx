// The app's frame (skip link, header with navigation, language and account) and its pages,
// one URL each, so reload and Back always work.
import { lazy, Suspense, type ReactElement } from "react";
import { Link, Navigate, NavLink, Route, Routes } from "react-router-dom";
import { RequireAuth, useAuth } from "./auth";
import { Loading } from "./components/Notice";
import { LANGS, useLang, useText, type Lang } from "./i18n";
import { AccountPage, LoginPage, SignupPage } from "./pages/Account";
import { ProjectPage } from "./pages/Project";
import { ProjectsPage } from "./pages/Projects";

const UploadPage = lazy(() => import("./pages/Upload"));
const DatasetPage = lazy(() => import("./pages/Dataset"));
const ChoosePage = lazy(() => import("./pages/Choose"));
const SettingsPage = lazy(() => import("./pages/Settings"));
const JobPage = lazy(() => import("./pages/Job"));
const ModelPage = lazy(() => import("./pages/Model"));
const KeysPage = lazy(() => import("./pages/Keys"));

const TEXT = {
  en: {
    skip: "Skip to the content",
    nav: "Main",
    projects: "Projects",
    keys: "API keys",
    docs: "API docs",
    signOut: "Sign out",
    language: "Language",
    loading: "Loading…",
    notFound: "There is no page at this address.",
    home: "Go to your projects",
  },
  ru: {
    skip: "Перейти к содержимому",
    nav: "Основное меню",
    projects: "Проекты",
    keys: "Ключи API",
    docs: "Документация API",
    signOut: "Выйти",
    language: "Язык",
    loading: "Загрузка…",
    notFound: "По этому адресу страницы нет.",
    home: "К вашим проектам",
  },
};

const LANG_NAMES: Record<Lang, string> = { en: "English", ru: "Русский" };

function LanguageSwitch() {
  const { lang, setLang } = useLang();
  const t = useText(TEXT);
  return (
    <label className="lang-switch">
      <span className="visually-hidden">{t.language}</span>
      <select value={lang} onChange={(event) => setLang(event.target.value as Lang)}>
        {LANGS.map((code) => (
          <option key={code} value={code}>
            {LANG_NAMES[code]}
          </option>
        ))}
      </select>
    </label>
  );
}

function Header() {
  const t = useText(TEXT);
  const { token, email, signOut } = useAuth();
  return (
    <header className="app-header">
      <Link to="/" className="brand">
        Konstruktor
      </Link>
      {token && (
        <nav aria-label={t.nav}>
          <NavLink to="/projects">{t.projects}</NavLink>
          <NavLink to="/keys">{t.keys}</NavLink>
          <a href="/docs">{t.docs}</a>
        </nav>
      )}
      <div className="header-end">
        <LanguageSwitch />
        {token && (
          <>
            {email && (
              <Link to="/account" className="account">
                {email}
              </Link>
            )}
            <button type="button" className="button-quiet" onClick={() => void signOut()}>
              {t.signOut}
            </button>
          </>
        )}
      </div>
    </header>
  );
}

function NotFound() {
  const t = useText(TEXT);
  return (
    <div>
      <h1>{t.notFound}</h1>
      <Link to="/projects">{t.home}</Link>
    </div>
  );
}

export function App() {
  const t = useText(TEXT);
  const { token } = useAuth();
  const guard = (element: ReactElement) => <RequireAuth>{element}</RequireAuth>;
  return (
    <>
      <a href="#main" className="skip-link">
        {t.skip}
      </a>
      <Header />
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading label={t.loading} />}>
          <Routes>
            <Route path="/" element={<Navigate to={token ? "/projects" : "/login"} replace />} />
            <Route path="/login" element={<LoginPage />} />
            <Route path="/signup" element={<SignupPage />} />
            <Route path="/projects" element={guard(<ProjectsPage />)} />
            <Route path="/projects/:projectId" element={guard(<ProjectPage />)} />
            <Route path="/projects/:projectId/upload" element={guard(<UploadPage />)} />
            <Route path="/datasets/:datasetId" element={guard(<DatasetPage />)} />
            <Route path="/versions/:versionId/choose" element={guard(<ChoosePage />)} />
            <Route path="/versions/:versionId/settings" element={guard(<SettingsPage />)} />
            <Route path="/jobs/:jobId" element={guard(<JobPage />)} />
            <Route path="/models/:modelId" element={guard(<ModelPage />)} />
            <Route path="/keys" element={guard(<KeysPage />)} />
            <Route path="/account" element={guard(<AccountPage />)} />
            <Route path="*" element={<NotFound />} />
          </Routes>
        </Suspense>
      </main>
    </>
  );
}
