// The viewer's settings: how messages reach them (channels per kind, the locked ones shown
// as such; language; phone), their phones with the app, their sign-in history, and a
// password change.

import { useMemo, useState } from "preact/hooks";
import { fieldErrors, gql } from "../api.js";
import { Field, html, Link, Loaded, useQuery } from "../components.js";
import { currentLanguage, formatDateTime, t } from "../i18n.js";
import { loadViewer, useViewer } from "../session.js";
import { Choice, Choices, Done, SubmitButton, TextField, useErrorSummary, useSending } from "./account.js";
import { NotAvailable } from "./not-available.js";

const HISTORY_FIRST = 10;
const HISTORY_MORE = 50;

function capitalised(text) {
  return text ? text.charAt(0).toLocaleUpperCase(currentLanguage()) + text.slice(1) : text;
}

const choiceId = (kind, channel) => `pref-${kind}-${channel}`;
const choiceKey = (kind, channel) => `${kind}:${channel}`;

function enabledMap(kinds) {
  const map = {};
  for (const kind of kinds) for (const channel of kind.channels) map[choiceKey(kind.kind, channel.channel)] = channel.enabled;
  return map;
}

// --- Notifications ------------------------------------------------------------------------

function NotificationsForm({ preferences }) {
  const form = useSending();
  const [kinds, setKinds] = useState(preferences.kinds);
  const [enabled, setEnabled] = useState(() => enabledMap(preferences.kinds));
  const [saved, setSaved] = useState(false);
  const [fields, setFields] = useState({ phone: "phone", language: "language" });
  const [language, setLanguage] = useState(preferences.language);
  const [phone, setPhone] = useState(preferences.phone || "");

  const onSubmit = (event) => {
    event.preventDefault();
    setSaved(false);
    // Every channel that may change, in this order; the API names a refused one by index.
    const choices = [];
    for (const kind of kinds)
      for (const channel of kind.channels)
        if (!channel.locked)
          choices.push({ kind: kind.kind, channel: channel.channel, enabled: !!enabled[choiceKey(kind.kind, channel.channel)] });
    form.send(async () => {
      const answer = (await gql("NotificationPreferencesUpdate", { input: { language, phone: phone.trim(), choices } }))
        .notificationPreferencesUpdate;
      if (answer.errors.length) {
        const errors = fieldErrors(answer.errors);
        const map = { phone: "phone", language: "language" };
        // "choices.3.enabled" belongs to that kind's group; its summary link to the box.
        const byKind = {};
        for (const [field, message] of Object.entries(errors)) {
          const index = /^choices\.(\d+)\./.exec(field)?.[1];
          const choice = index !== undefined ? choices[Number(index)] : null;
          if (choice) {
            map[field] = choiceId(choice.kind, choice.channel);
            byKind[choice.kind] = message;
          }
        }
        setFields(map);
        return { ...errors, ...Object.fromEntries(Object.entries(byKind).map(([kind, message]) => [`kind:${kind}`, message])) };
      }
      const next = answer.preferences;
      setKinds(next.kinds);
      setEnabled(enabledMap(next.kinds));
      setLanguage(next.language);
      setPhone(next.phone || "");
      setSaved(true);
    });
  };
  const { errors, busy } = form;
  // Errors by kind repeat the choices' messages next to their group; the summary lists each once.
  const listed = useMemo(
    () => Object.fromEntries(Object.entries(errors).filter(([field]) => !field.startsWith("kind:"))),
    [errors],
  );
  const summary = useErrorSummary(listed, fields);
  return html`<form onSubmit=${onSubmit} novalidate>
    ${summary}
    ${saved && html`<${Done} title=${t("settings.saved")}><p>${t("settings.savedText")}</p><//>`}
    <p>${t("settings.notificationsIntro")}</p>
    ${kinds.map(
      (kind) => html`<${Choices} id=${`kind-${kind.kind}`} legend=${capitalised(kind.label)}
        hint=${kind.needsConsent ? `${kind.description} ${t("settings.needsConsent")}` : kind.description}
        error=${errors[`kind:${kind.kind}`]}>
        ${kind.channels.map((channel) => {
          const id = choiceId(kind.kind, channel.channel);
          return channel.locked
            ? html`<${Choice} id=${id} type="checkbox" label=${channel.label} checked=${channel.enabled} disabled
                hint=${channel.enabled ? t("settings.lockedOn") : t("settings.lockedOff")} />`
            : html`<${Choice} id=${id} type="checkbox" label=${channel.label}
                checked=${!!enabled[choiceKey(kind.kind, channel.channel)]}
                onChange=${(event) => setEnabled((current) => ({ ...current, [choiceKey(kind.kind, channel.channel)]: event.target.checked }))} />`;
        })}
      <//>`,
    )}
    <${Field} id="language" label=${t("settings.language")} hint=${t("settings.languageHint")} error=${errors.language}>
      <select id="language" name="language" value=${language} onChange=${(event) => setLanguage(event.target.value)}
        aria-invalid=${errors.language ? "true" : undefined}
        aria-describedby=${errors.language ? "language-hint language-error" : "language-hint"}>
        <option value="pl" lang="pl">${t("settings.language.pl")}</option>
        <option value="en" lang="en">${t("settings.language.en")}</option>
      </select>
    <//>
    <${TextField} id="phone" name="phone" type="tel" label=${t("settings.phone")} hint=${t("settings.phoneHint")}
      error=${errors.phone} autocomplete="tel" value=${phone} onInput=${(event) => setPhone(event.target.value)} />
    <${SubmitButton} busy=${busy} label=${t("settings.save")} />
  </form>`;
}

function PushDevices({ devices }) {
  return html`<section aria-labelledby="devices-title">
    <h3 id="devices-title">${t("settings.devices")}</h3>
    ${devices.length
      ? html`<ul class="list">
          ${devices.map(
            (device) => html`<li>
              <strong>${device.name || t("settings.deviceUnnamed")}</strong><br />
              ${`${t("settings.deviceAdded", { date: formatDateTime(device.createdAt) })}, ${t("settings.deviceSeen", { date: formatDateTime(device.lastSeenAt) })}`}
            </li>`,
          )}
        </ul>`
      : html`<p>${t("settings.noDevices")}</p>`}
    <p class="hint">${t("settings.devicesHint")}</p>
  </section>`;
}

// --- Sign-in history ----------------------------------------------------------------------

function outcomeLabel(outcome) {
  if (outcome === "SUCCESS") return t("settings.history.success");
  if (outcome === "FAILURE") return t("settings.history.failure");
  if (outcome === "THROTTLED") return t("settings.history.throttled");
  return t("settings.history.inactive");
}

function channelLabel(channel) {
  if (channel === "SESSION") return t("settings.history.session");
  if (channel === "TOKEN") return t("settings.history.token");
  if (channel === "ADMIN") return t("settings.history.admin");
  return t("settings.history.emailLink");
}

// "Chrome, Android" from a user agent string (the string itself when nothing is known).
function device(userAgent) {
  if (!userAgent) return t("settings.history.unknownDevice");
  const browser = /Edg\//.test(userAgent)
    ? "Edge"
    : /Firefox\//.test(userAgent)
      ? "Firefox"
      : /Chrom(e|ium)\//.test(userAgent)
        ? "Chrome"
        : /Safari\//.test(userAgent)
          ? "Safari"
          : null;
  const system = /Android/.test(userAgent)
    ? "Android"
    : /iPhone|iPad/.test(userAgent)
      ? "iOS"
      : /Windows/.test(userAgent)
        ? "Windows"
        : /Mac OS X/.test(userAgent)
          ? "macOS"
          : /Linux/.test(userAgent)
            ? "Linux"
            : null;
  return browser || system ? [browser, system].filter(Boolean).join(", ") : userAgent;
}

function SignInHistory() {
  const [first, setFirst] = useState(HISTORY_FIRST);
  const history = useQuery("SignInHistory", { first }, [first]);
  return html`<section aria-labelledby="history-title">
    <h2 id="history-title">${t("settings.history")}</h2>
    <p>${t("settings.historyIntro")}</p>
    <${Loaded} query=${history}>
      ${(data) => {
        const attempts = data.viewer?.signInHistory || [];
        if (!attempts.length) return html`<p>${t("settings.history.empty")}</p>`;
        return html`<ul class="list" aria-label=${t("settings.history")}>
            ${attempts.map(
              (attempt) => html`<li>
                <strong><span aria-hidden="true">${attempt.outcome === "SUCCESS" ? "✓ " : "✗ "}</span>${outcomeLabel(attempt.outcome)}</strong>, <time datetime=${attempt.createdAt}>${formatDateTime(attempt.createdAt)}</time><br />
                ${[channelLabel(attempt.channel), device(attempt.userAgent), attempt.ipAddress && t("settings.history.address", { address: attempt.ipAddress })].filter(Boolean).join(" · ")}
              </li>`,
            )}
          </ul>
          ${first < HISTORY_MORE &&
          attempts.length >= first &&
          html`<p>
            <button type="button" class="button button--secondary" onClick=${() => setFirst(HISTORY_MORE)}
              disabled=${history.loading} aria-busy=${history.loading ? "true" : undefined}>
              ${history.loading ? t("common.loading") : t("common.more")}
            </button>
          </p>`}`;
      }}
    <//>
  </section>`;
}

// --- Password change ----------------------------------------------------------------------

const PASSWORD_FIELDS = {
  currentPassword: "current-password",
  newPassword: "new-password",
  newPasswordAgain: "new-password-again",
};

function PasswordChange() {
  const form = useSending();
  const summary = useErrorSummary(form.errors, PASSWORD_FIELDS);
  const [done, setDone] = useState(false);
  const onSubmit = (event) => {
    event.preventDefault();
    setDone(false);
    const target = event.target;
    const data = new FormData(target);
    const currentPassword = String(data.get("currentPassword"));
    const newPassword = String(data.get("newPassword"));
    const missing = {};
    if (!currentPassword) missing.currentPassword = t("settings.currentPasswordMissing");
    if (!newPassword) missing.newPassword = t("account.passwordMissing");
    else if (newPassword !== String(data.get("newPasswordAgain"))) missing.newPasswordAgain = t("account.passwordsDiffer");
    form.send(async () => {
      const answer = (await gql("PasswordChange", { currentPassword, newPassword })).passwordChange;
      if (answer.errors.length) return fieldErrors(answer.errors);
      target.reset();
      setDone(true);
      await loadViewer(); // still signed in here; every other session was signed out
    }, missing);
  };
  const { errors, busy } = form;
  return html`<section aria-labelledby="password-title">
    <h2 id="password-title">${t("settings.password")}</h2>
    ${summary}
    ${done && html`<${Done} title=${t("settings.passwordChanged")}><p>${t("settings.passwordChangedText")}</p><//>`}
    <form onSubmit=${onSubmit} novalidate>
      <${TextField} id="current-password" name="currentPassword" type="password" label=${t("settings.currentPassword")}
        error=${errors.currentPassword} autocomplete="current-password" />
      <${TextField} id="new-password" name="newPassword" type="password" label=${t("account.newPassword")}
        hint=${t("account.passwordHint")} error=${errors.newPassword} autocomplete="new-password" />
      <${TextField} id="new-password-again" name="newPasswordAgain" type="password" label=${t("account.newPasswordAgain")}
        error=${errors.newPasswordAgain} autocomplete="new-password" />
      <${SubmitButton} busy=${busy} label=${t("settings.passwordSubmit")} />
    </form>
    <p><${Link} href="/nie-pamietam-hasla">${t("settings.passwordForgotten")}<//></p>
  </section>`;
}

// --- The page -----------------------------------------------------------------------------

export function Settings() {
  const viewer = useViewer();
  const preferences = useQuery("NotificationPreferences");
  if (viewer === null) return html`<${NotAvailable} path="/ustawienia" />`;
  return html`<h1 tabindex="-1">${t("settings.title")}</h1>
    <p class="links"><${Link} href="/wiadomosci">${t("settings.inboxLink")}<//> · <${Link} href="/dolacz-do-lokalu">${t("join.title")}<//></p>
    <section aria-labelledby="notifications-title">
      <h2 id="notifications-title">${t("settings.notifications")}</h2>
      <${Loaded} query=${preferences}>
        ${(data) =>
          data.viewer &&
          html`<${NotificationsForm} preferences=${data.viewer.notificationPreferences} />
            <${PushDevices} devices=${data.viewer.notificationPreferences.pushDevices} />`}
      <//>
    </section>
    ${viewer && html`<${SignInHistory} />`}
    ${viewer && html`<${PasswordChange} />`}`;
}
