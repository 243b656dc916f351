// Numbers, sizes and durations as people read them, in the current language.
import type { Lang } from "./i18n";

const UNITS: Record<Lang, string[]> = {
  en: ["B", "KB", "MB", "GB", "TB"],
  ru: ["Б", "КБ", "МБ", "ГБ", "ТБ"],
};

export function formatBytes(bytes: number, lang: Lang): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS[lang].length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toLocaleString(lang, { maximumFractionDigits: digits })} ${UNITS[lang][unit]}`;
}

export function formatDuration(seconds: number, lang: Lang): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  const [hu, mu, su] = lang === "ru" ? ["ч", "мин", "с"] : ["h", "min", "s"];
  if (h) return `${h} ${hu} ${m} ${mu}`;
  if (m) return `${m} ${mu} ${rest} ${su}`;
  return `${rest} ${su}`;
}

export function formatPercent(fraction: number, lang: Lang, digits = 1): string {
  return (fraction * 100).toLocaleString(lang, { maximumFractionDigits: digits }) + " %";
}

export function formatNumber(value: number, lang: Lang, digits = 3): string {
  return value.toLocaleString(lang, { maximumSignificantDigits: digits });
}

export function formatCount(value: number, lang: Lang): string {
  return Math.round(value).toLocaleString(lang);
}

/** An amount in an ISO currency (RUB: 369,30 ₽ in Russian, ₽369.30 in English). */
export function formatMoney(amount: number, currency: string, lang: Lang): string {
  return new Intl.NumberFormat(lang, { style: "currency", currency, currencyDisplay: "narrowSymbol" }).format(amount);
}
