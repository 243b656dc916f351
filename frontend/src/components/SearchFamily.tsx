// A search's family (its family.json): every architecture it found on an accuracy/cost
// scatter with a table twin, and one member's cells, size and accuracy with a button that
// trains it on a dataset version. Shown by the choose screen and by a search model's page.
import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type RefObject } from "react";
import { type ModelOut } from "../api/client";
import { useStartJob } from "../api/jobs";
import { useModelJson } from "../api/queries";
import { formatCount, formatNumber, formatPercent } from "../format";
import { useLang, useText } from "../i18n";
import { ErrorNotice, Loading, Notice } from "./Notice";

/** A member of family.json (mlcore/nas/family.py: Member.to_dict). */
export interface FamilyMember {
  index: number;
  s: number[];
  ops: string[];
  choices: number[][];
  /** The cells each row of `choices` builds (1-based): [[1], [2, 3]] when the space shares
   * a normal and a reduction cell, [[1], [2], [3]] when every cell has its own row. */
  rowCells: number[][];
  shared: boolean;
  counts: { [op: string]: number };
  params: number;
  flops: number;
  predicted_latency_ms: number | null;
  proxy_accuracy: number;
  front: boolean;
  chosen: boolean;
}

/** family.json's members with their place on the front, or null when it cannot be read. */
export function parseFamily(data: unknown): FamilyMember[] | null {
  if (!data || typeof data !== "object") return null;
  const raw = data as { members?: unknown; front?: unknown; chosen?: unknown; space?: unknown };
  if (!Array.isArray(raw.members)) return null;
  // mlcore/nas/space/search_space.py: a space saved without cell_sharing has a row per cell
  const space = (raw.space ?? {}) as { cells?: unknown; cell_sharing?: unknown };
  const shared = space.cell_sharing === "shared";
  const cells = Number(space.cells ?? 0);
  const front = new Set(Array.isArray(raw.front) ? raw.front.map(Number) : []);
  const numbers = (value: unknown) => (Array.isArray(value) ? value.map(Number) : []);
  return raw.members.map((entry, index) => {
    const member = (entry ?? {}) as { [key: string]: unknown };
    const genotype = (member["genotype"] ?? {}) as { ops?: unknown; choices?: unknown };
    const counts = (member["counts"] ?? {}) as { [op: string]: unknown };
    const latency = member["predicted_latency_ms"];
    const choices = Array.isArray(genotype.choices) ? genotype.choices.map(numbers) : [];
    return {
      index,
      s: numbers(member["s"]),
      ops: Array.isArray(genotype.ops) ? genotype.ops.map(String) : [],
      choices,
      rowCells: choices.map((_, r) =>
        shared && r === 1 ? Array.from({ length: Math.max(cells - 1, 1) }, (_, c) => c + 2) : [r + 1],
      ),
      shared,
      counts: Object.fromEntries(Object.entries(counts).map(([op, n]) => [op, Number(n)])),
      params: Number(member["params"] ?? 0),
      flops: Number(member["flops"] ?? 0),
      predicted_latency_ms: typeof latency === "number" ? latency : null,
      proxy_accuracy: Number(member["proxy_accuracy"] ?? 0),
      front: front.has(index),
      chosen: raw.chosen === index,
    };
  });
}

const FAMILY_TEXT = {
  en: {
    loadingFamily: "Loading the family…",
    unreadable: "This search's family file could not be read; its model can still be downloaded and tried.",
    chart: "Proxy accuracy against parameters",
    summary: (members: number, front: number) => `${members} architectures, ${front} of them on the front.`,
    keys:
      "Arrow keys move between the points from fewest to most parameters; Enter or Space shows a point's member.",
    legendFront: "filled circle: on the front (no other member is both smaller and more accurate)",
    legendOther: "hollow circle: other members",
    legendChosen: "square: the one this search kept and retrained",
    legendSame: "members of equal parameters and accuracy are drawn side by side",
    xAxis: "Parameters",
    yAxis: "Proxy accuracy",
    point: (n: number, params: string, accuracy: string, front: boolean, chosen: boolean) =>
      `Member ${n}: ${params} parameters, proxy accuracy ${accuracy}${front ? ", on the front" : ""}${chosen ? ", kept by the search" : ""}`,
    table: "Show the members as a table",
    member: "Member",
    onFront: "On the front",
    yes: "yes",
    no: "no",
    params: "Parameters",
    flops: "FLOPs",
    latency: "Predicted latency",
    accuracy: "Proxy accuracy",
    s: "Complexity vector s",
    show: (n: number) => `Show member ${n}`,
    actions: "Show",
    showing: (n: number) => `Member ${n} is shown below the chart.`,
    pick: "Choose a point or a table row to see that member.",
    memberTitle: (n: number) => `Member ${n}`,
    ms: (value: string) => `${value} ms`,
    notMeasured: "not measured (the search had no latency table)",
    noS: "none: a black-box search has no complexity vectors",
    cells: "Operations per cell",
    cell: (n: number) => `Cell ${n}`,
    row: (r: number, cells: number[]) =>
      `${r === 0 ? "Normal cell" : "Reduction cell"} (${cells.length > 1 ? "cells" : "cell"} ${cells.join(", ")})`,
    sharedNote: "Every cell after a down-sampling shares the reduction cell's operations (each with its own weights), as in the thesis and DARTS.",
    counts: "Edges per operation",
    op: "Operation",
    edges: "Edges",
    train: "Train this member",
    queued: "Queued…",
    trainHint: "It is retrained from scratch on this dataset version; the search is not run again.",
    keptNote: "The search kept this one: it is the search's own retrained model.",
    noVersion: "The dataset version of this search was deleted, so its members cannot be trained from here: choose one on a version's choose screen.",
  },
  ru: {
    loadingFamily: "Загружаем семейство…",
    unreadable: "Не удалось прочитать файл семейства этого поиска; его модель по-прежнему можно скачать и попробовать.",
    chart: "Прокси-точность в зависимости от числа параметров",
    summary: (members: number, front: number) => `Архитектур: ${members}, из них на границе: ${front}.`,
    keys:
      "Стрелки переходят между точками от меньшего числа параметров к большему; Enter или пробел показывают выбранную архитектуру.",
    legendFront: "закрашенный круг: на границе (нет другой архитектуры, которая и меньше, и точнее)",
    legendOther: "пустой круг: остальные архитектуры семейства",
    legendChosen: "квадрат: архитектура, которую поиск оставил и обучил заново",
    legendSame: "архитектуры с одинаковыми числом параметров и точностью нарисованы рядом",
    xAxis: "Параметры",
    yAxis: "Прокси-точность",
    point: (n: number, params: string, accuracy: string, front: boolean, chosen: boolean) =>
      `Архитектура ${n}: параметров ${params}, прокси-точность ${accuracy}${front ? ", на границе" : ""}${chosen ? ", оставлена поиском" : ""}`,
    table: "Показать архитектуры семейства таблицей",
    member: "Архитектура",
    onFront: "На границе",
    yes: "да",
    no: "нет",
    params: "Параметры",
    flops: "FLOPs",
    latency: "Прогноз задержки",
    accuracy: "Прокси-точность",
    s: "Вектор сложности s",
    show: (n: number) => `Показать архитектуру ${n}`,
    actions: "Показать",
    showing: (n: number) => `Архитектура ${n} показана под графиком.`,
    pick: "Выберите точку или строку таблицы, чтобы увидеть эту архитектуру.",
    memberTitle: (n: number) => `Архитектура ${n}`,
    ms: (value: string) => `${value} мс`,
    notMeasured: "не измерена (у поиска не было таблицы задержек)",
    noS: "нет: у поиска методом «чёрного ящика» нет векторов сложности",
    cells: "Операции по ячейкам",
    cell: (n: number) => `Ячейка ${n}`,
    row: (r: number, cells: number[]) =>
      `${r === 0 ? "Нормальная ячейка" : "Редуцирующая ячейка"} (${cells.length > 1 ? "ячейки" : "ячейка"} ${cells.join(", ")})`,
    sharedNote: "Все ячейки после понижения разрешения используют операции редуцирующей ячейки (каждая со своими весами), как в дипломной работе и DARTS.",
    counts: "Рёбер на операцию",
    op: "Операция",
    edges: "Рёбра",
    train: "Обучить эту архитектуру",
    queued: "В очереди…",
    trainHint: "Она будет обучена с нуля на этой версии набора данных; поиск заново не запускается.",
    keptNote: "Эту архитектуру оставил сам поиск: это его обученная модель.",
    noVersion: "Версия данных этого поиска удалена, поэтому обучить его архитектуры отсюда нельзя: выберите архитектуру на экране выбора модели для какой-либо версии.",
  },
};

/** The family of `model` (a search's model); its members train on `versionId` (none: the
 * version was deleted, so they cannot), `initial` is the member shown first. */
export function FamilyView({
  model,
  versionId,
  initial = null,
}: {
  model: ModelOut;
  versionId: string | null;
  initial?: number | null;
}) {
  const t = useText(FAMILY_TEXT);
  const { lang } = useLang();
  const family = useModelJson(model.id, "family");
  const members = useMemo(() => (family.data === undefined ? null : parseFamily(family.data)), [family.data]);
  const [selected, setSelected] = useState<number | null>(initial);
  const details = useRef<HTMLHeadingElement>(null);
  const [focusDetails, setFocusDetails] = useState(0);
  useEffect(() => {
    if (focusDetails) details.current?.focus();
  }, [focusDetails]);
  if (family.isPending) return <Loading label={t.loadingFamily} />;
  if (family.error) return <ErrorNotice error={family.error} action={<p>{t.unreadable}</p>} />;
  if (!members || members.length === 0) return <Notice kind="warning">{t.unreadable}</Notice>;
  // from the chart focus stays on the point (its member is announced); from the table,
  // focus moves to the member
  const show = (index: number, focus: boolean) => {
    setSelected(index);
    if (focus) setFocusDetails((n) => n + 1);
  };
  const member = selected === null ? undefined : members[selected];
  const percent = (value: number) => formatPercent(value, lang);
  return (
    <>
      <FrontScatter members={members} selected={selected} onSelect={(index) => show(index, false)} />
      <p role="status" className="visually-hidden">
        {member ? t.showing(member.index + 1) : ""}
      </p>
      <details>
        <summary>{t.table}</summary>
        <div className="table-scroll">
          <table>
            <caption className="visually-hidden">{t.chart}</caption>
            <thead>
              <tr>
                <th scope="col">{t.member}</th>
                <th scope="col">{t.onFront}</th>
                <th scope="col" className="number">
                  {t.params}
                </th>
                <th scope="col" className="number">
                  {t.flops}
                </th>
                <th scope="col" className="number">
                  {t.latency}
                </th>
                <th scope="col" className="number">
                  {t.accuracy}
                </th>
                <th scope="col">{t.s}</th>
                <th scope="col">
                  <span className="visually-hidden">{t.actions}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {members.map((m) => (
                <tr key={m.index}>
                  <th scope="row">{m.index + 1}</th>
                  <td>{m.front ? t.yes : t.no}</td>
                  <td className="number">{formatCount(m.params, lang)}</td>
                  <td className="number">{formatCount(m.flops, lang)}</td>
                  <td className="number">
                    {m.predicted_latency_ms === null ? "—" : t.ms(formatNumber(m.predicted_latency_ms, lang))}
                  </td>
                  <td className="number">{percent(m.proxy_accuracy)}</td>
                  <td>{m.s.length ? m.s.map((v) => formatNumber(v, lang, 2)).join(" · ") : "—"}</td>
                  <td>
                    <button type="button" className="button-secondary" onClick={() => show(m.index, true)}>
                      {t.show(m.index + 1)}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
      {member ? (
        <MemberCard
          member={member}
          modelId={model.id}
          versionId={versionId}
          projectId={model.project_id}
          heading={details}
        />
      ) : (
        <p className="hint">{t.pick}</p>
      )}
    </>
  );
}

const W = 560;
const H = 320;
const M = { left: 72, right: 20, top: 16, bottom: 52 };
const SPREAD = 14; // px between members of equal size and accuracy, more than a point's 12 px hit radius

/** Horizontal offsets that draw members of equal parameters and accuracy side by side, so each
 * can be seen and clicked, by position in `order`. */
function sideBySide(order: FamilyMember[]): number[] {
  const spots = new Map<string, number[]>();
  order.forEach((m, position) => {
    const key = `${m.params}:${m.proxy_accuracy}`;
    spots.set(key, [...(spots.get(key) ?? []), position]);
  });
  const offsets = order.map(() => 0);
  for (const same of spots.values()) {
    same.forEach((position, k) => {
      offsets[position] = (k - (same.length - 1) / 2) * SPREAD;
    });
  }
  return offsets;
}

function scale(domain: [number, number], range: [number, number]) {
  const [d0, d1] = domain[0] === domain[1] ? [domain[0] - 1, domain[1] + 1] : domain;
  const pad = (d1 - d0) * 0.06;
  return (value: number) => range[0] + ((value - (d0 - pad)) / (d1 - d0 + 2 * pad)) * (range[1] - range[0]);
}

function FrontScatter({
  members,
  selected,
  onSelect,
}: {
  members: FamilyMember[];
  selected: number | null;
  onSelect: (index: number) => void;
}) {
  const t = useText(FAMILY_TEXT);
  const { lang } = useLang();
  const order = useMemo(
    () => [...members].sort((a, b) => a.params - b.params || a.proxy_accuracy - b.proxy_accuracy),
    [members],
  );
  const [active, setActive] = useState(0); // position in `order` that holds the tab stop
  const [focused, setFocused] = useState<number | null>(null);
  const points = useRef<(SVGGElement | null)[]>([]);
  const params = members.map((m) => m.params);
  const accuracies = members.map((m) => m.proxy_accuracy);
  const x = scale([Math.min(...params), Math.max(...params)], [M.left, W - M.right]);
  const y = scale([Math.min(...accuracies), Math.max(...accuracies)], [H - M.bottom, M.top]);
  const front = order.filter((m) => m.front);
  const offsets = useMemo(() => sideBySide(order), [order]);
  const move = (position: number) => {
    const next = Math.min(Math.max(position, 0), order.length - 1);
    setActive(next);
    points.current[next]?.focus();
  };
  const onKey = (event: KeyboardEvent, position: number, index: number) => {
    const steps: { [key: string]: number } = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1 };
    if (event.key in steps) move(position + (steps[event.key] ?? 0));
    else if (event.key === "Home") move(0);
    else if (event.key === "End") move(order.length - 1);
    else if (event.key === "Enter" || event.key === " ") onSelect(index);
    else return;
    event.preventDefault();
  };
  const xTicks = [Math.min(...params), (Math.min(...params) + Math.max(...params)) / 2, Math.max(...params)];
  const yTicks = [Math.min(...accuracies), (Math.min(...accuracies) + Math.max(...accuracies)) / 2, Math.max(...accuracies)];
  return (
    <figure className="chart">
      <figcaption id="front-caption">{t.chart}</figcaption>
      <p className="hint" id="front-summary">
        {t.summary(members.length, front.length)} {t.keys}
      </p>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        width="100%"
        style={{ maxWidth: `${W}px`, display: "block" }}
        role="group"
        aria-labelledby="front-caption"
        aria-describedby="front-summary"
      >
        <g aria-hidden="true" fontSize="12" fill="#4a5468">
          <line x1={M.left} x2={W - M.right} y1={H - M.bottom} y2={H - M.bottom} stroke="#8a94a6" />
          <line x1={M.left} x2={M.left} y1={M.top} y2={H - M.bottom} stroke="#8a94a6" />
          {xTicks.map((value, i) => (
            <text key={`x${i}`} x={x(value)} y={H - M.bottom + 18} textAnchor="middle">
              {formatCount(value, lang)}
            </text>
          ))}
          {yTicks.map((value, i) => (
            <g key={`y${i}`}>
              <line x1={M.left} x2={W - M.right} y1={y(value)} y2={y(value)} stroke="#d5dae3" />
              <text x={M.left - 6} y={y(value) + 4} textAnchor="end">
                {formatPercent(value, lang)}
              </text>
            </g>
          ))}
          <text x={(M.left + W - M.right) / 2} y={H - 10} textAnchor="middle">
            {t.xAxis}
          </text>
          <text transform={`translate(16 ${(M.top + H - M.bottom) / 2}) rotate(-90)`} textAnchor="middle">
            {t.yAxis}
          </text>
          {front.length > 1 && (
            <polyline
              points={front.map((m) => `${x(m.params)},${y(m.proxy_accuracy)}`).join(" ")}
              fill="none"
              stroke="#264d9b"
              strokeDasharray="5 4"
            />
          )}
        </g>
        {order.map((m, position) => {
          const cx = x(m.params) + (offsets[position] ?? 0);
          const cy = y(m.proxy_accuracy);
          return (
            <g
              key={m.index}
              ref={(element) => {
                points.current[position] = element;
              }}
              role="button"
              tabIndex={position === active ? 0 : -1}
              aria-pressed={selected === m.index}
              aria-label={t.point(
                m.index + 1,
                formatCount(m.params, lang),
                formatPercent(m.proxy_accuracy, lang),
                m.front,
                m.chosen,
              )}
              style={{ cursor: "pointer", outline: "none" }}
              onClick={() => {
                setActive(position);
                onSelect(m.index);
              }}
              onKeyDown={(event) => onKey(event, position, m.index)}
              onFocus={() => {
                setActive(position);
                setFocused(position);
              }}
              onBlur={() => setFocused(null)}
            >
              <circle cx={cx} cy={cy} r={12} fill="transparent" />
              {m.front ? (
                <circle cx={cx} cy={cy} r={6} fill="#264d9b" stroke="#1d2330" strokeWidth={1} />
              ) : (
                <circle cx={cx} cy={cy} r={4.5} fill="none" stroke="#4a5468" strokeOpacity={0.55} strokeWidth={1.5} />
              )}
              {m.chosen && <rect x={cx - 9} y={cy - 9} width={18} height={18} fill="none" stroke="#1d2330" strokeWidth={1.5} />}
              {selected === m.index && <circle cx={cx} cy={cy} r={12} fill="none" stroke="#c2410c" strokeWidth={3} />}
              {focused === position && (
                <circle cx={cx} cy={cy} r={15} fill="none" stroke="#f59e0b" strokeWidth={3} strokeDasharray="4 2" />
              )}
            </g>
          );
        })}
      </svg>
      <ul className="hint" style={{ listStyle: "none", padding: 0 }}>
        <li>● {t.legendFront}</li>
        <li>○ {t.legendOther}</li>
        <li>□ {t.legendChosen}</li>
        <li>{t.legendSame}</li>
      </ul>
    </figure>
  );
}

function MemberCard({
  member,
  modelId,
  versionId,
  projectId,
  heading,
}: {
  member: FamilyMember;
  modelId: string;
  versionId: string | null;
  projectId: string;
  heading: RefObject<HTMLHeadingElement | null>;
}) {
  const t = useText(FAMILY_TEXT);
  const { lang } = useLang();
  const start = useStartJob(projectId);
  const queued = start.isPending || start.isSuccess;
  const blackbox = member.s.length === 0;
  const opName = (i: number) => member.ops[i] ?? `#${i}`;
  const train = (version: string) =>
    start.mutate({
      kind: "search",
      dataset_version_id: version,
      params: { family_model_id: modelId, family_member: member.index },
    });
  const id = `member-${member.index}-heading`;
  return (
    <div className="card" role="region" aria-labelledby={id}>
      <h3 id={id} ref={heading} tabIndex={-1}>
        {t.memberTitle(member.index + 1)}
      </h3>
      <dl>
        <dt>{t.params}</dt>
        <dd>{formatCount(member.params, lang)}</dd>
        <dt>{t.flops}</dt>
        <dd>{formatCount(member.flops, lang)}</dd>
        <dt>{t.latency}</dt>
        <dd>
          {member.predicted_latency_ms === null ? t.notMeasured : t.ms(formatNumber(member.predicted_latency_ms, lang))}
        </dd>
        <dt>{t.accuracy}</dt>
        <dd>{formatPercent(member.proxy_accuracy, lang)}</dd>
        <dt>{t.onFront}</dt>
        <dd>{member.front ? t.yes : t.no}</dd>
        <dt>{t.s}</dt>
        <dd>
          {blackbox
            ? t.noS
            : member.s.map((value, i) => `${opName(i)} ${formatNumber(value, lang, 2)}`).join(" · ")}
        </dd>
      </dl>
      <h4>{t.cells}</h4>
      <ol>
        {member.choices.map((cell, c) => (
          <li key={c}>
            {member.shared ? t.row(c, member.rowCells[c] ?? [c + 1]) : t.cell(c + 1)}: {cell.map(opName).join(", ")}
          </li>
        ))}
      </ol>
      {member.shared && <p>{t.sharedNote}</p>}
      <table>
        <caption>{t.counts}</caption>
        <thead>
          <tr>
            <th scope="col">{t.op}</th>
            <th scope="col" className="number">
              {t.edges}
            </th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(member.counts).map(([op, n]) => (
            <tr key={op}>
              <th scope="row">{op}</th>
              <td className="number">{n}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {member.chosen && <p>{t.keptNote}</p>}
      {versionId === null ? (
        <p className="hint">{t.noVersion}</p>
      ) : (
        <>
          <p className="hint">{t.trainHint}</p>
          <ErrorNotice error={start.error} />
          <div className="actions">
            <button type="button" disabled={queued} onClick={() => train(versionId)}>
              {queued ? t.queued : t.train}
            </button>
          </div>
        </>
      )}
    </div>
  );
}
