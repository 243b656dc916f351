// English and Russian. Each screen keeps its own strings beside it:
//   const TEXT = { en: { title: "Projects" }, ru: { title: "Проекты" } };
//   const t = useText(TEXT);  // t.title
// so a screen's text is written in one place and both languages have every key (typed).
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";

export type Lang = "en" | "ru";
export const LANGS: Lang[] = ["en", "ru"];
const LANG_KEY = "konstruktor.lang";

interface LangState {
  lang: Lang;
  setLang(lang: Lang): void;
}

const LangContext = createContext<LangState>({ lang: "en", setLang: () => undefined });

function initialLang(): Lang {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved === "en" || saved === "ru") return saved;
  return navigator.language.toLowerCase().startsWith("ru") ? "ru" : "en";
}

export function LangProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((next: Lang) => {
    localStorage.setItem(LANG_KEY, next);
    setLangState(next);
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const value = useMemo(() => ({ lang, setLang }), [lang, setLang]);
  return <LangContext.Provider value={value}>{children}</LangContext.Provider>;
}

export function useLang(): LangState {
  return useContext(LangContext);
}

export type Texts<T> = { en: T; ru: T };

/** The current language's strings of a screen's dictionary. */
export function useText<T>(texts: Texts<T>): T {
  return texts[useLang().lang];
}
