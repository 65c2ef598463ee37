// "Ankiety i głosowania": the surveys the viewer is asked to answer and the resolutions
// they vote on, open ones first; a survey answered one question per screen, with a summary
// before sending; a resolution with its rule in plain words and a confirmation step before
// the vote; results as bar charts whose numbers are also text (a table).

import { useEffect, useRef, useState } from "preact/hooks";
import { fieldErrors, gql } from "../api.js";
import { ErrorSummary, html, Link, Loaded, Loading, useQuery } from "../components.js";
import { formatDate, formatDateTime, formatNumber, t } from "../i18n.js";
import { useViewer } from "../session.js";
import { NotAvailable } from "./not-available.js";

export const SURVEYS_PATH = "/ankiety";
export const surveyHref = (id) => `/ankiety/${encodeURIComponent(id)}`;
export const resolutionHref = (id) => `/glosowania/${encodeURIComponent(id)}`;

// Written out key by key: the catalogue test finds the keys in the code.
const CHOICE_LABELS = {
  FOR: () => t("surveys.vote.for"),
  AGAINST: () => t("surveys.vote.against"),
  ABSTAIN: () => t("surveys.vote.abstain"),
};
const CHOICE_CAPS = {
  FOR: () => t("surveys.vote.forCaps"),
  AGAINST: () => t("surveys.vote.againstCaps"),
  ABSTAIN: () => t("surveys.vote.abstainCaps"),
};
// "Oddajesz głos ZA uchwałą…": abstaining reads as its own sentence.
const CONFIRM = {
  FOR: (params) => t("surveys.vote.confirmFor", params),
  AGAINST: (params) => t("surveys.vote.confirmAgainst", params),
  ABSTAIN: (params) => t("surveys.vote.confirmAbstain", params),
};
const CAST_LINES = {
  FOR: (params) => t("surveys.vote.castFor", params),
  AGAINST: (params) => t("surveys.vote.castAgainst", params),
  ABSTAIN: (params) => t("surveys.vote.castAbstain", params),
};
const RESULT_LABELS = {
  ADOPTED: () => t("surveys.resolution.adopted"),
  NOT_ADOPTED: () => t("surveys.resolution.notAdopted"),
};
const METHOD_LABELS = {
  SHARES: () => t("surveys.rule.shares"),
  OWNERS: () => t("surveys.rule.owners"),
  MEMBERS: () => t("surveys.rule.members"),
};
const BASE_LABELS = {
  ALL: () => t("surveys.rule.baseAll"),
  CAST: () => t("surveys.rule.baseCast"),
};

function awaits(survey) {
  return survey.state === "OPEN" && survey.canAnswer && !survey.answered;
}

function percent(part, whole) {
  return whole ? Math.round((part * 1000) / whole) / 10 : 0;
}

// What awaits the viewer: surveys to answer and resolutions to vote on.
export function useAwaiting(viewer) {
  const surveys = useQuery("Surveys", { first: 50 }, [viewer?.id]);
  const resolutions = useQuery("Resolutions", { first: 50 }, [viewer?.id]);
  const surveyItems = (surveys.data?.surveys.edges || []).map(({ node }) => node);
  const resolutionItems = (resolutions.data?.resolutions.edges || []).map(({ node }) => node);
  return {
    surveys,
    resolutions,
    surveyItems,
    resolutionItems,
    count: surveyItems.filter(awaits).length + resolutionItems.filter((item) => item.canVote).length,
  };
}

// The home page's line, shown only when something awaits the viewer.
export function SurveysGlance() {
  const viewer = useViewer();
  const { count } = useAwaiting(viewer);
  if (!count) return null;
  return html`<section class="section surveys-glance" aria-labelledby="surveys-glance">
    <h2 id="surveys-glance">${t("surveys.title")}</h2>
    <p>${t("surveys.glance", { count })}</p>
    <p><${Link} class="button" href=${SURVEYS_PATH}>${t("surveys.glanceLink")}<//></p>
  </section>`;
}

function Window({ item, vote = false }) {
  const closes = { date: formatDateTime(item.closesAt) };
  const opens = { date: formatDateTime(item.opensAt) };
  if (vote)
    return html`<p class="meta">
      ${item.state === "CLOSED"
        ? t("surveys.vote.closedOn", closes)
        : item.state === "OPEN"
          ? t("surveys.vote.openUntil", closes)
          : t("surveys.vote.opensOn", opens)}
    </p>`;
  return html`<p class="meta">
    ${item.state === "CLOSED"
      ? t("surveys.closedOn", closes)
      : item.state === "OPEN"
        ? t("surveys.openUntil", closes)
        : t("surveys.opensOn", opens)}
  </p>`;
}

function SurveyItem({ node }) {
  const status = awaits(node)
    ? t("surveys.status.toAnswer")
    : node.state === "CLOSED"
      ? t("surveys.status.closed")
      : node.answered
        ? t("surveys.status.answered")
        : node.state === "UPCOMING"
          ? t("surveys.status.upcoming")
          : t("surveys.status.notForYou");
  return html`<li class="card survey-item">
    <p class="survey-item__kind">${t("surveys.kind.survey")}</p>
    <h3><${Link} href=${surveyHref(node.id)}>${node.title}<//></h3>
    <p><strong>${status}</strong>${node.anonymous ? html` · ${t("surveys.anonymous")}` : ""}</p>
    <${Window} item=${node} />
  </li>`;
}

function votedAll(node) {
  return node.mySeats.length > 0 && node.mySeats.every((seat) => seat.voted);
}

function ResolutionItem({ node }) {
  const status = node.canVote
    ? t("surveys.status.toVote")
    : node.state === "CLOSED"
      ? node.result
        ? RESULT_LABELS[node.result]()
        : t("surveys.status.closed")
      : votedAll(node)
        ? t("surveys.status.voted")
        : node.state === "OPEN"
          ? t("surveys.status.noVote")
          : t("surveys.status.upcoming");
  return html`<li class="card survey-item">
    <p class="survey-item__kind">${t("surveys.kind.resolution", { number: node.number })}</p>
    <h3><${Link} href=${resolutionHref(node.id)}>${node.title}<//></h3>
    <p><strong>${status}</strong></p>
    <${Window} item=${node} vote />
  </li>`;
}

function Group({ id, title, empty, surveys, resolutions }) {
  return html`<section class="section" aria-labelledby=${id}>
    <h2 id=${id}>${title}</h2>
    ${surveys.length + resolutions.length
      ? html`<ul class="cards survey-list">
          ${resolutions.map((node) => html`<${ResolutionItem} node=${node} />`)}
          ${surveys.map((node) => html`<${SurveyItem} node=${node} />`)}
        </ul>`
      : html`<p>${empty}</p>`}
  </section>`;
}

export function SurveyList() {
  const viewer = useViewer();
  const awaiting = useAwaiting(viewer);
  if (viewer === undefined) return html`<${Loading} />`;
  if (viewer === null) return html`<${NotAvailable} path=${SURVEYS_PATH} />`;
  const both = {
    loading: awaiting.surveys.loading || awaiting.resolutions.loading,
    error: awaiting.surveys.error || awaiting.resolutions.error,
    data: awaiting.surveys.data && awaiting.resolutions.data ? {} : null,
    reload: () => (awaiting.surveys.reload(), awaiting.resolutions.reload()),
  };
  return html`<h1 tabindex="-1">${t("surveys.title")}</h1>
    <p>${t("surveys.lead")}</p>
    <${Loaded} query=${both}>
      ${() => {
        const surveys = awaiting.surveyItems;
        const resolutions = awaiting.resolutionItems;
        const closedSurvey = (s) => s.state === "CLOSED";
        const closedResolution = (r) => r.state === "CLOSED";
        return html`
          <${Group}
            id="surveys-open"
            title=${t("surveys.group.open")}
            empty=${t("surveys.group.openEmpty")}
            surveys=${surveys.filter(awaits)}
            resolutions=${resolutions.filter((r) => r.canVote)}
          />
          <${Group}
            id="surveys-done"
            title=${t("surveys.group.done")}
            empty=${t("surveys.group.doneEmpty")}
            surveys=${surveys.filter((s) => !awaits(s) && !closedSurvey(s))}
            resolutions=${resolutions.filter((r) => !r.canVote && !closedResolution(r))}
          />
          <${Group}
            id="surveys-closed"
            title=${t("surveys.group.closed")}
            empty=${t("surveys.group.closedEmpty")}
            surveys=${surveys.filter(closedSurvey)}
            resolutions=${resolutions.filter(closedResolution)}
          />
        `;
      }}
    <//>`;
}

// --- Charts -------------------------------------------------------------------------------

// A bar chart as a table: each row its label, a bar (for the eye only) and the numbers.
function BarTable({ caption, rows, total }) {
  const top = Math.max(1, ...rows.map((row) => row.count));
  return html`<div class="chart-box">
    <table class="chart">
      <caption>${caption}</caption>
      <thead>
        <tr>
          <th scope="col">${t("surveys.chart.answer")}</th>
          <th scope="col">${t("surveys.chart.count")}</th>
          <th scope="col">${t("surveys.chart.share")}</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (row) => html`<tr>
            <th scope="row">
              ${row.label}
              <span class="chart__bar" aria-hidden="true"><span style=${`width: ${(row.count * 100) / top}%`}></span></span>
            </th>
            <td>${formatNumber(row.count)}</td>
            <td>${formatNumber(percent(row.count, total))} %</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

function valueLabel(kind, value) {
  if (kind === "YES_NO") return value === 1 ? t("surveys.yes") : t("surveys.no");
  return formatNumber(value);
}

function QuestionResult({ question }) {
  const rows = question.choices.length
    ? question.choices.map((choice) => ({ label: choice.label, count: choice.count }))
    : question.distribution.map((item) => ({ label: valueLabel(question.kind, item.value), count: item.count }));
  return html`<section class="result" aria-labelledby=${`result-${question.questionId}`}>
    <h3 id=${`result-${question.questionId}`}>${question.text}</h3>
    <p>${t("surveys.results.answered", { count: question.answered })}</p>
    ${question.kind === "NPS" && question.nps !== null && question.nps !== undefined &&
    html`<div class="nps">
      <p class="nps__score"><strong>${t("surveys.results.nps", { score: `${question.nps > 0 ? "+" : ""}${formatNumber(question.nps)}` })}</strong></p>
      <p class="hint">${t("surveys.results.npsMeaning")}</p>
    </div>`}
    ${question.average !== null && question.average !== undefined &&
    html`<p>${t("surveys.results.average", { average: formatNumber(Number(question.average)) })}</p>`}
    ${rows.length > 0 && html`<${BarTable} caption=${t("surveys.chart.caption", { question: question.text })} rows=${rows} total=${question.answered} />`}
    ${question.kind === "TEXT" && !rows.length && html`<p>${t("surveys.results.textsHidden")}</p>`}
  </section>`;
}

// Only the survey's own questions: asked together with `questions`, the hub's
// `results.questions` also lists other surveys' questions (with no answers counted).
function SurveyResults({ results, questions }) {
  const own = new Set(questions.map((question) => question.id));
  return html`<section class="section" aria-labelledby="survey-results">
    <h2 id="survey-results">${t("surveys.results.title")}</h2>
    <p>
      ${t("surveys.results.responses", { count: results.responses })}
      ${" "}${t("surveys.results.rate", { rate: formatNumber(Number(results.responseRate)), audience: formatNumber(results.audience) })}
    </p>
    ${results.questions
      .filter((question) => own.has(question.questionId))
      .map((question) => html`<${QuestionResult} question=${question} />`)}
  </section>`;
}

// --- The survey flow ----------------------------------------------------------------------

function isEmpty(question, answer) {
  if (!answer) return true;
  switch (question.kind) {
    case "SINGLE":
    case "MULTIPLE":
      return !answer.choiceIds?.length;
    case "SCALE":
    case "NPS":
      return typeof answer.number !== "number";
    case "YES_NO":
      return typeof answer.yes !== "boolean";
    default:
      return !answer.text?.trim();
  }
}

function answerText(question, answer) {
  if (isEmpty(question, answer)) return t("surveys.flow.noAnswer");
  switch (question.kind) {
    case "SINGLE":
    case "MULTIPLE":
      return question.choices
        .filter((choice) => answer.choiceIds.includes(choice.id))
        .map((choice) => choice.label)
        .join(", ");
    case "SCALE":
    case "NPS":
      return formatNumber(answer.number);
    case "YES_NO":
      return answer.yes ? t("surveys.yes") : t("surveys.no");
    default:
      return answer.text.trim();
  }
}

function range(question) {
  const low = question.minValue ?? (question.kind === "NPS" ? 0 : 1);
  const high = question.maxValue ?? (question.kind === "NPS" ? 10 : 5);
  return Array.from({ length: high - low + 1 }, (_, i) => low + i);
}

// Which question a mutation's field ("answers.<id>") names.
function questionOfField(questions, field) {
  if (!field?.startsWith("answers.")) return null;
  const key = field.slice("answers.".length);
  return (
    questions.find((question) => {
      if (question.id === key) return true;
      try {
        return atob(question.id).split(":").pop() === key;
      } catch {
        return false;
      }
    }) || null
  );
}

function Options({ question, answer, onChange, error }) {
  const name = `q-${question.id}`;
  const errorId = error ? `${name}-error` : undefined;
  const radio = (value, label, checked, onPick, index) => html`<label class="choice choice--large">
    <input
      type="radio"
      name=${name}
      id=${index === 0 ? `${name}-first` : undefined}
      checked=${checked}
      onChange=${onPick}
      aria-describedby=${errorId}
    />
    <span>${label}</span>
  </label>`;
  if (question.kind === "MULTIPLE")
    return question.choices.map(
      (choice, index) => html`<label class="choice choice--large">
        <input
          type="checkbox"
          name=${name}
          id=${index === 0 ? `${name}-first` : undefined}
          checked=${answer?.choiceIds?.includes(choice.id) || false}
          aria-describedby=${errorId}
          onChange=${(event) => {
            const chosen = new Set(answer?.choiceIds || []);
            if (event.currentTarget.checked) chosen.add(choice.id);
            else chosen.delete(choice.id);
            onChange({ choiceIds: question.choices.map((c) => c.id).filter((id) => chosen.has(id)) });
          }}
        />
        <span>${choice.label}</span>
      </label>`,
    );
  if (question.kind === "SINGLE")
    return question.choices.map((choice, index) =>
      radio(choice.id, choice.label, answer?.choiceIds?.[0] === choice.id, () => onChange({ choiceIds: [choice.id] }), index),
    );
  if (question.kind === "YES_NO")
    return [
      radio("yes", t("surveys.yes"), answer?.yes === true, () => onChange({ yes: true }), 0),
      radio("no", t("surveys.no"), answer?.yes === false, () => onChange({ yes: false }), 1),
    ];
  return html`<div class=${`scale${question.kind === "NPS" ? " scale--nps" : ""}`}>
    ${range(question).map((value, index) =>
      radio(value, formatNumber(value), answer?.number === value, () => onChange({ number: value }), index),
    )}
  </div>`;
}

function QuestionScreen({ question, index, total, answer, onChange, error }) {
  const heading = useRef(null);
  useEffect(() => heading.current?.focus(), [question.id]);
  const progress = html`<p class="progress">${t("surveys.flow.progress", { current: index + 1, total })}</p>`;
  const note = html`<p class="hint">${question.required ? t("surveys.flow.required") : t("surveys.flow.optional")}</p>
    ${question.helpText && html`<p class="hint">${question.helpText}</p>`}
    ${question.kind === "NPS" && html`<p class="hint">${t("surveys.flow.npsHint")}</p>`}
    ${question.kind === "SCALE" && html`<p class="hint">${t("surveys.flow.scaleHint")}</p>`}`;
  const errorLine =
    error &&
    html`<p class="field__error" id=${`q-${question.id}-error`}><span class="visually-hidden">${t("form.error")}: </span>${error}</p>`;
  if (question.kind === "TEXT")
    return html`<div class=${`field question${error ? " field--error" : ""}`}>
      ${progress}
      <h2 class="question__title" tabindex="-1" ref=${heading}><label for=${`q-${question.id}-first`}>${question.text}</label></h2>
      ${note} ${errorLine}
      <textarea
        id=${`q-${question.id}-first`}
        rows="5"
        maxlength=${question.maxLength || undefined}
        aria-describedby=${error ? `q-${question.id}-error` : undefined}
        value=${answer?.text || ""}
        onInput=${(event) => onChange({ text: event.currentTarget.value })}
      ></textarea>
    </div>`;
  return html`<div class=${`question${error ? " field--error" : ""}`}>
    ${progress}
    <fieldset>
      <legend><h2 class="question__title" tabindex="-1" ref=${heading}>${question.text}</h2></legend>
      ${note} ${errorLine}
      <${Options} question=${question} answer=${answer} onChange=${onChange} error=${error} />
    </fieldset>
  </div>`;
}

function Summary({ survey, answers, unit, onEdit, errors = {} }) {
  return html`<dl class="summary">
    ${unit && html`<div class="summary__row"><dt>${t("surveys.flow.unit")}</dt><dd>${unit}</dd></div>`}
    ${survey.questions.map(
      (question, index) => html`<div class="summary__row">
        <dt>${t("surveys.flow.progress", { current: index + 1, total: survey.questions.length })}: ${question.text}</dt>
        <dd>${answerText(question, answers[question.id])}</dd>
        ${errors[question.id] &&
        html`<dd class="field__error" id=${`summary-${question.id}-error`}>
          <span class="visually-hidden">${t("form.error")}: </span>${errors[question.id]}
        </dd>`}
        ${onEdit &&
        html`<dd>
          <button type="button" id=${`change-${question.id}`} class="button button--secondary" onClick=${() => onEdit(index)}>
            ${t("surveys.flow.change")}<span class="visually-hidden"> – ${question.text}</span>
          </button>
        </dd>`}
      </div>`,
    )}
  </dl>`;
}

function unitName(unit) {
  return t("surveys.unit", { building: unit.building?.code ?? "", number: unit.number });
}

// The viewer's answers (`myAnswers`) as the flow keeps them, by question: those given for
// `unitId` when they answered for it, else those of the first unit they answered for.
function previousAnswers(survey, unitId) {
  const given = survey.myAnswers || [];
  const forUnit = given.some((answer) => answer.unitId === unitId) ? unitId : given[0]?.unitId;
  const byQuestion = {};
  for (const answer of given) {
    if (answer.unitId !== forUnit) continue;
    const question = survey.questions.find((item) => item.id === answer.questionId);
    if (!question) continue;
    switch (question.kind) {
      case "SINGLE":
      case "MULTIPLE":
        byQuestion[question.id] = { choiceIds: answer.choiceIds };
        break;
      case "SCALE":
      case "NPS":
        if (typeof answer.number === "number") byQuestion[question.id] = { number: answer.number };
        break;
      case "YES_NO":
        if (typeof answer.yes === "boolean") byQuestion[question.id] = { yes: answer.yes };
        break;
      default:
        if (answer.text) byQuestion[question.id] = { text: answer.text };
    }
  }
  return byQuestion;
}

function SurveyFlow({ survey, onDone, changing = false }) {
  const units = survey.unitsToAnswerFor || [];
  const questions = survey.questions;
  const [step, setStep] = useState(units.length > 1 ? "unit" : 0);
  const [unitId, setUnitId] = useState(units.length === 1 ? units[0].id : null);
  const [answers, setAnswers] = useState(() => (changing ? previousAnswers(survey, unitId) : {}));
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const summaryHeading = useRef(null);
  useEffect(() => {
    if (step === "summary" || step === "unit") summaryHeading.current?.focus();
  }, [step]);

  const go = (next) => {
    setErrors({});
    setStep(next);
  };
  if (step === "unit")
    return html`<form
      class="question"
      onSubmit=${(event) => {
        event.preventDefault();
        if (!unitId) setErrors({ unit: t("surveys.flow.unitRequired") });
        else go(0);
      }}
    >
      <${ErrorSummary} errors=${errors} fields=${{ unit: "unit-first" }} />
      <fieldset>
        <legend><h2 class="question__title" tabindex="-1" ref=${summaryHeading}>${t("surveys.flow.whichUnit")}</h2></legend>
        ${errors.unit && html`<p class="field__error">${errors.unit}</p>`}
        ${units.map(
          (unit, index) => html`<label class="choice choice--large">
            <input type="radio" name="unit" id=${index === 0 ? "unit-first" : undefined} checked=${unitId === unit.id} onChange=${() => setUnitId(unit.id)} />
            <span>${unitName(unit)}</span>
          </label>`,
        )}
      </fieldset>
      <div class="flow-buttons"><button type="submit" class="button">${t("surveys.flow.next")}</button></div>
    </form>`;

  const unit = units.find((item) => item.id === unitId);
  if (step === "summary") {
    const send = async () => {
      setBusy(true);
      setErrors({});
      try {
        const input = {
          surveyId: survey.id,
          answers: questions
            .filter((question) => !isEmpty(question, answers[question.id]))
            .map((question) => {
              const answer = answers[question.id];
              return question.kind === "TEXT" ? { questionId: question.id, text: answer.text.trim() } : { questionId: question.id, ...answer };
            }),
        };
        if (unitId && units.length) input.unitId = unitId;
        const data = await gql("SurveyRespond", { input });
        const result = data.surveyRespond;
        if (result.errors?.length) {
          const byField = {};
          for (const error of result.errors) {
            const question = questionOfField(questions, error.field);
            byField[question ? question.id : error.field || "_"] = error.message;
          }
          setErrors(byField);
        } else onDone({ answers, unit: unit ? unitName(unit) : null });
      } catch (error) {
        setErrors({ _: t("surveys.flow.sendFailed") });
      } finally {
        setBusy(false);
      }
    };
    return html`<div class="question">
      <${ErrorSummary}
        errors=${Object.fromEntries(
          Object.entries(errors).map(([field, message]) => {
            const question = questions.find((item) => item.id === field);
            return [field, question ? `${question.text} – ${message}` : message];
          }),
        )}
        fields=${Object.fromEntries(questions.map((question) => [question.id, `change-${question.id}`]))}
      />
      <h2 tabindex="-1" ref=${summaryHeading}>${t("surveys.flow.summary")}</h2>
      <p>${t("surveys.flow.summaryLead")}</p>
      <${Summary} survey=${survey} answers=${answers} unit=${unit && unitName(unit)} onEdit=${go} errors=${errors} />
      <div class="flow-buttons">
        <button type="button" class="button button--secondary" onClick=${() => go(questions.length - 1)}>${t("surveys.flow.back")}</button>
        <button type="button" class="button" disabled=${busy} onClick=${send}>${busy ? t("surveys.flow.sending") : t("surveys.flow.send")}</button>
      </div>
    </div>`;
  }

  const question = questions[step];
  const next = (event) => {
    event.preventDefault();
    if (question.required && isEmpty(question, answers[question.id])) {
      setErrors({ [question.id]: t("surveys.flow.answerRequired") });
      return;
    }
    go(step + 1 < questions.length ? step + 1 : "summary");
  };
  return html`<form onSubmit=${next} novalidate>
    <${ErrorSummary} errors=${errors} fields=${{ [question.id]: `q-${question.id}-first` }} />
    ${unit && units.length > 1 && html`<p class="meta">${t("surveys.flow.answeringFor", { unit: unitName(unit) })}</p>`}
    <${QuestionScreen}
      question=${question}
      index=${step}
      total=${questions.length}
      answer=${answers[question.id]}
      error=${errors[question.id]}
      onChange=${(value) => {
        setAnswers({ ...answers, [question.id]: value });
        setErrors({});
      }}
    />
    <div class="flow-buttons">
      ${step > 0 || units.length > 1
        ? html`<button type="button" class="button button--secondary" onClick=${() => go(step > 0 ? step - 1 : "unit")}>${t("surveys.flow.back")}</button>`
        : null}
      <button type="submit" class="button">${step + 1 < questions.length ? t("surveys.flow.next") : t("surveys.flow.toSummary")}</button>
    </div>
  </form>`;
}

function Sent({ survey, sent }) {
  const heading = useRef(null);
  useEffect(() => heading.current?.focus(), []);
  return html`<div class="notice notice--success" role="status">
      <h2 tabindex="-1" ref=${heading}>${t("surveys.flow.sent")}</h2>
      <p>${t("surveys.flow.sentLead")}</p>
    </div>
    <h3>${t("surveys.flow.whatYouSent")}</h3>
    <${Summary} survey=${survey} answers=${sent.answers} unit=${sent.unit} />
    <p><${Link} class="button" href=${SURVEYS_PATH}>${t("surveys.back")}<//></p>`;
}

export function SurveyDetail({ params }) {
  const viewer = useViewer();
  const survey = useQuery("Survey", { id: params.id }, [params.id, viewer?.id]);
  const [mode, setMode] = useState("view");
  const [sent, setSent] = useState(null);
  if (viewer === undefined) return html`<${Loading} />`;
  if (viewer === null) return html`<${NotAvailable} path=${surveyHref(params.id)} />`;
  return html`<${Loaded} query=${survey}>
    ${(data) => {
      const item = data.survey;
      if (!item) return html`<${NotAvailable} path=${surveyHref(params.id)} />`;
      return html`<p><${Link} href=${SURVEYS_PATH}>${t("surveys.back")}<//></p>
        <h1 tabindex="-1">${item.title}</h1>
        <p class="meta">
          ${t("surveys.kind.survey")}${item.anonymous ? html` · ${t("surveys.anonymous")}` : ""}
        </p>
        <${Window} item=${item} />
        ${sent
          ? html`<${Sent} survey=${item} sent=${sent} />`
          : mode === "answer" || mode === "change"
            ? html`<${SurveyFlow}
                survey=${item}
                changing=${mode === "change"}
                onDone=${(value) => {
                  setSent(value);
                  setMode("view");
                  survey.reload();
                }}
              />`
            : html`
                ${item.introduction && html`<p class="lead">${item.introduction}</p>`}
                ${item.anonymous && item.canAnswer && html`<p>${t("surveys.anonymousHint")}</p>`}
                ${item.state === "OPEN" && item.canAnswer && !item.answered
                  ? html`<p>${t("surveys.questionCount", { count: item.questions.length })}</p>
                      <p><button type="button" class="button button--large" onClick=${() => setMode("answer")}>${t("surveys.start")}</button></p>`
                  : null}
                ${item.answered &&
                html`<div class="notice notice--success"><p><strong>${t("surveys.answeredNote")}</strong></p></div>
                  ${item.canChangeAnswer &&
                  html`<p>${t("surveys.changeHint")}</p>
                    <p><button type="button" class="button button--secondary" onClick=${() => setMode("change")}>${t("surveys.changeAnswer")}</button></p>`}`}
                ${item.state === "OPEN" && !item.canAnswer && !item.answered && html`<p>${t("surveys.cannotAnswer")}</p>`}
                ${item.results
                  ? html`<${SurveyResults} results=${item.results} questions=${item.questions} />`
                  : item.state === "CLOSED" && html`<p>${t("surveys.results.none")}</p>`}
              `}`;
    }}
  <//>`;
}

// --- Resolutions --------------------------------------------------------------------------

function seatsText(seats) {
  return seats.map((seat) => seat.label).join(", ");
}

function RuleInWords({ rule }) {
  return html`<section class="section" aria-labelledby="resolution-rule">
    <h2 id="resolution-rule">${t("surveys.rule.title")}</h2>
    <p>${METHOD_LABELS[rule.method]?.()} ${BASE_LABELS[rule.base]?.()}</p>
    <p class="hint">${rule.name} · ${t("surveys.rule.basis", { basis: rule.legalBasis })}</p>
  </section>`;
}

function weight(value, method) {
  const number = Number(value);
  return method === "SHARES" ? `${formatNumber(Math.round(number * 10000) / 100)} %` : formatNumber(number);
}

function Tally({ tally, method }) {
  const total = Number(tally.totalWeight);
  const rows = [
    ["FOR", Number(tally.weightFor), tally.seatsFor],
    ["AGAINST", Number(tally.weightAgainst), tally.seatsAgainst],
    ["ABSTAIN", Number(tally.weightAbstained), tally.seatsAbstained],
  ];
  const notVoted = Math.max(0, total - rows.reduce((sum, row) => sum + row[1], 0));
  const shares = method === "SHARES";
  return html`<section class="section" aria-labelledby="resolution-tally">
    <h2 id="resolution-tally">${t("surveys.tally.title")}</h2>
    ${tally.result && html`<p class="result-banner"><strong>${RESULT_LABELS[tally.result]()}</strong></p>`}
    <p>${t("surveys.tally.turnout", { voted: tally.seatsVoted, seats: tally.seats })}</p>
    <div class="chart-box">
      <table class="chart">
        <caption>${shares ? t("surveys.tally.captionShares") : t("surveys.tally.caption")}</caption>
        <thead>
          <tr>
            <th scope="col">${t("surveys.tally.vote")}</th>
            <th scope="col">${shares ? t("surveys.tally.weight") : t("surveys.tally.votes")}</th>
            <th scope="col">${t("surveys.tally.seats")}</th>
          </tr>
        </thead>
        <tbody>
          ${[...rows, ["NONE", notVoted, tally.seats - tally.seatsVoted]].map(
            ([choice, value, seats]) => html`<tr>
              <th scope="row">
                ${choice === "NONE" ? t("surveys.tally.notVoted") : CHOICE_LABELS[choice]()}
                <span class=${`chart__bar chart__bar--${choice.toLowerCase()}`} aria-hidden="true"
                  ><span style=${`width: ${total ? (value * 100) / total : 0}%`}></span
                ></span>
              </th>
              <td>${shares ? `${formatNumber(percent(value, total))} %` : formatNumber(value)}</td>
              <td>${formatNumber(seats)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
    ${tally.decidedAt && html`<p>${t("surveys.tally.decidedAt", { date: formatDateTime(tally.decidedAt) })}</p>`}
    ${tally.challengeUntil && html`<p>${t("surveys.tally.challengeUntil", { date: formatDate(tally.challengeUntil) })}</p>`}
  </section>`;
}

function Seats({ resolution }) {
  if (!resolution.mySeats.length) return html`<p>${t("surveys.seats.none")}</p>`;
  return html`<ul class="list">
    ${resolution.mySeats.map(
      (seat) => html`<li>
        <strong>${t("surveys.seats.unit", { label: seat.label })}</strong>
        ${" – "}${t("surveys.seats.weight", { weight: weight(seat.weight, resolution.rule.method) })}
        ${seat.asProxy ? html` · ${t("surveys.seats.proxy")}` : ""}
        <br />
        ${seat.voted
          ? seat.byMe && seat.myChoice
            ? t("surveys.seats.votedMine", { choice: CHOICE_CAPS[seat.myChoice](), date: formatDateTime(seat.votedAt) })
            : seat.channel === "PAPER"
              ? t("surveys.seats.votedPaper")
              : t("surveys.seats.votedOther")
          : t("surveys.seats.notVoted")}
      </li>`,
    )}
  </ul>`;
}

function VoteForm({ resolution, onCast }) {
  const [choice, setChoice] = useState(null);
  const [confirming, setConfirming] = useState(false);
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const confirmHeading = useRef(null);
  useEffect(() => {
    if (confirming) confirmHeading.current?.focus();
  }, [confirming]);
  const seats = resolution.mySeats.filter((seat) => !seat.voted || resolution.allowChanges);
  const cast = async () => {
    setBusy(true);
    setErrors({});
    try {
      const data = await gql("VoteCast", { input: { resolutionId: resolution.id, choice } });
      const result = data.voteCast;
      if (result.errors?.length) {
        setErrors(fieldErrors(result.errors.map((error) => ({ ...error, field: error.field === "choice" ? "choice" : "_" }))));
        setConfirming(false);
      } else onCast({ choice, votes: result.votes });
    } catch {
      setErrors({ _: t("surveys.vote.failed") });
    } finally {
      setBusy(false);
    }
  };
  if (confirming)
    return html`<section class="section confirm" aria-labelledby="vote-confirm">
      <h2 id="vote-confirm" tabindex="-1" ref=${confirmHeading}>${t("surveys.vote.confirmTitle")}</h2>
      <p class="confirm__text">
        <strong>${CONFIRM[choice]({ number: resolution.number, seats: seatsText(seats) })}</strong>
      </p>
      <p>${resolution.allowChanges ? t("surveys.vote.changeable") : t("surveys.vote.final")}</p>
      <div class="flow-buttons">
        <button type="button" class="button button--secondary" onClick=${() => setConfirming(false)}>${t("surveys.flow.back")}</button>
        <button type="button" class="button" disabled=${busy} onClick=${cast}>${busy ? t("surveys.flow.sending") : t("surveys.vote.cast")}</button>
      </div>
    </section>`;
  return html`<form
    class="section vote"
    novalidate
    onSubmit=${(event) => {
      event.preventDefault();
      if (!choice) setErrors({ choice: t("surveys.vote.choiceRequired") });
      else {
        setErrors({});
        setConfirming(true);
      }
    }}
  >
    <${ErrorSummary} errors=${errors} fields=${{ choice: "vote-FOR" }} />
    <fieldset class=${errors.choice ? "field--error" : ""}>
      <legend><h2>${t("surveys.vote.title")}</h2></legend>
      <p class="hint">${t("surveys.vote.hint", { seats: seatsText(seats) })}</p>
      ${errors.choice && html`<p class="field__error" id="vote-error"><span class="visually-hidden">${t("form.error")}: </span>${errors.choice}</p>`}
      ${["FOR", "AGAINST", "ABSTAIN"].map(
        (value) => html`<label class="choice choice--large">
          <input
            type="radio"
            name="vote"
            id=${`vote-${value}`}
            checked=${choice === value}
            aria-describedby=${errors.choice ? "vote-error" : undefined}
            onChange=${() => setChoice(value)}
          />
          <span>${CHOICE_LABELS[value]()}</span>
        </label>`,
      )}
    </fieldset>
    <button type="submit" class="button">${t("surveys.flow.next")}</button>
  </form>`;
}

function Cast({ resolution, cast }) {
  const heading = useRef(null);
  useEffect(() => heading.current?.focus(), []);
  return html`<div class="notice notice--success" role="status">
    <h2 tabindex="-1" ref=${heading}>${t("surveys.vote.castTitle")}</h2>
    ${(cast.votes || []).map(
      (vote) => html`<p>
        ${CAST_LINES[vote.choice]({ number: resolution.number, seat: vote.seatLabel, date: formatDateTime(vote.castAt) })}
      </p>`,
    )}
  </div>`;
}

export function ResolutionDetail({ params }) {
  const viewer = useViewer();
  const query = useQuery("Resolution", { id: params.id }, [params.id, viewer?.id]);
  const [cast, setCast] = useState(null);
  if (viewer === undefined) return html`<${Loading} />`;
  if (viewer === null) return html`<${NotAvailable} path=${resolutionHref(params.id)} />`;
  return html`<${Loaded} query=${query}>
    ${(data) => {
      const item = data.resolution;
      if (!item) return html`<${NotAvailable} path=${resolutionHref(params.id)} />`;
      return html`<p><${Link} href=${SURVEYS_PATH}>${t("surveys.back")}<//></p>
        <p class="survey-item__kind">${t("surveys.kind.resolution", { number: item.number })}</p>
        <h1 tabindex="-1">${item.title}</h1>
        <${Window} item=${item} vote />
        ${item.state === "CLOSED" && item.result && html`<p class="result-banner"><strong>${RESULT_LABELS[item.result]()}</strong></p>`}
        ${cast && html`<${Cast} resolution=${item} cast=${cast} />`}
        <section class="section" aria-labelledby="resolution-text">
          <h2 id="resolution-text">${t("surveys.resolution.text")}</h2>
          <div class="resolution-text">${item.text}</div>
          ${item.attachments.length > 0 &&
          html`<h3>${t("surveys.resolution.attachments")}</h3>
            <ul class="list">
              ${item.attachments.map(
                (file) => html`<li><a href=${file.downloadUrl}>${file.title}</a> <span class="meta">(${file.fileExtension.toUpperCase()})</span></li>`,
              )}
            </ul>`}
        </section>
        <${RuleInWords} rule=${item.rule} />
        <section class="section" aria-labelledby="resolution-seats">
          <h2 id="resolution-seats">${t("surveys.seats.title")}</h2>
          <p>${t("surveys.resolution.window", { from: formatDateTime(item.opensAt), to: formatDateTime(item.closesAt) })}</p>
          <${Seats} resolution=${item} />
        </section>
        ${item.canVote && !cast
          ? html`<${VoteForm}
              resolution=${item}
              onCast=${(value) => {
                setCast(value);
                query.reload();
              }}
            />`
          : item.state === "OPEN" && item.mySeats.length > 0 && html`<p><strong>${t("surveys.vote.recorded")}</strong></p>`}
        ${item.tally && html`<${Tally} tally=${item.tally} method=${item.rule.method} />`}`;
    }}
  <//>`;
}
