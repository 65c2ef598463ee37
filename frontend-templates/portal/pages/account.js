// Getting an account and a unit: register (the answer is always "check your e-mail"),
// confirm the address by the e-mailed link (names again and a password; signs in), a
// forgotten password and the page of its e-mailed link, and asking to join a unit with a
// proof that staff check (membershipRequest). Also the form pieces settings.js shares.

import { useMemo, useState } from "preact/hooks";
import { ApiError, fieldErrors, forgetCsrfToken, gql } from "../api.js";
import { ErrorSummary, Field, html, Link } from "../components.js";
import { t } from "../i18n.js";
import { navigate } from "../router.js";
import { loadViewer, useViewer } from "../session.js";

// --- Form pieces (inline styles until styles.css has checkbox and notice rules) --------

const CHOICES = "border:0;padding:0;margin:0 0 1.25rem;min-width:0";
const LEGEND = "font-weight:700;padding:0;margin-bottom:0.25rem";
const CHOICE = "display:flex;align-items:center;gap:0.75rem;min-height:44px";
const CHOICE_INPUT = "width:1.75rem;height:1.75rem;min-height:0;margin:0;padding:0;flex:none";
const CHOICE_LABEL = "display:block;font-weight:400;margin:0;padding:0.5rem 0;flex:1";
const DONE = "border-left:5px solid #00703c;padding:0.25rem 1rem;margin-bottom:1.5rem;background:#f3f2f1";

// A form's state while it is sent: `errors` as {field: message} ("_" for the whole form),
// `busy` while waiting. `send(work, missing)`: `missing` (checked before sending) is shown
// and nothing sent; else `work()` runs and returns the API's errors, if any.
export function useSending() {
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const send = async (work, missing = {}) => {
    setErrors(missing);
    if (Object.keys(missing).length) return;
    setBusy(true);
    try {
      const refused = await work();
      if (refused && Object.keys(refused).length) setErrors(refused);
    } catch (error) {
      setErrors({ _: problemText(error) });
    } finally {
      setBusy(false);
    }
  };
  return { errors, setErrors, busy, send };
}

export function problemText(error) {
  if (error instanceof ApiError) return error.code === "FORBIDDEN" ? t("account.expired") : error.message;
  return t("common.offline");
}

// A mutation that signs the session in checks the CSRF token itself and answers CSRF when
// api.js held a stale one (several first requests of a page may each have set a cookie):
// forget it and send once more; nothing was done the first time.
async function signingIn(send) {
  let answer = await send();
  if (answer.errors.some((error) => error.code === "CSRF")) {
    forgetCsrfToken();
    answer = await send();
  }
  return answer;
}

function describedBy(id, hint, error) {
  return [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ") || undefined;
}

// The form's error summary, rendered again only when the errors change: ErrorSummary
// focuses itself whenever it renders, which would pull the focus away from a field the
// resident is typing in or a choice they just made (see the report on components.js).
export function useErrorSummary(errors, fields) {
  return useMemo(() => html`<${ErrorSummary} errors=${errors} fields=${fields} />`, [errors, fields]);
}

// A labelled input with its hint and the error next to it.
export function TextField({ id, label, hint, error, name = id, type = "text", ...input }) {
  return html`<${Field} id=${id} label=${label} hint=${hint} error=${error}>
    <input id=${id} name=${name} type=${type} aria-invalid=${error ? "true" : undefined}
      aria-describedby=${describedBy(id, hint, error)} ...${input} />
  <//>`;
}

// Radio buttons or check boxes under a legend, with the group's hint and error.
export function Choices({ id, legend, hint, error, children }) {
  return html`<fieldset id=${id} class=${`field${error ? " field--error" : ""}`} style=${CHOICES}
    aria-describedby=${describedBy(id, hint, error)}>
    <legend style=${LEGEND}>${legend}</legend>
    ${hint && html`<p class="hint" id=${`${id}-hint`}>${hint}</p>`}
    ${error && html`<p class="field__error" id=${`${id}-error`}><span class="visually-hidden">${t("form.error")}: </span>${error}</p>`}
    ${children}
  </fieldset>`;
}

export function Choice({ id, label, hint, type = "radio", ...input }) {
  return html`<div style=${CHOICE}>
    <input id=${id} type=${type} style=${CHOICE_INPUT} aria-describedby=${hint ? `${id}-hint` : undefined} ...${input} />
    <label for=${id} style=${CHOICE_LABEL}>${label}${hint && html`<br /><span class="hint" id=${`${id}-hint`}>${hint}</span>`}</label>
  </div>`;
}

export function SubmitButton({ busy, label }) {
  return html`<button type="submit" class="button" disabled=${busy} aria-busy=${busy ? "true" : undefined}>
    ${busy ? t("common.wait") : label}
  </button>`;
}

// What went well, said in words (role=status), never by colour alone.
export function Done({ title, children, level = 2 }) {
  const heading =
    level === 1
      ? html`<h1 tabindex="-1" ref=${(node) => node && node.focus()}>${title}</h1>`
      : html`<h2 class="h3">${title}</h2>`;
  return html`<div role="status" style=${DONE}>${heading}${children}</div>`;
}

function SignedInAlready({ viewer }) {
  const name = viewer.firstName || viewer.username;
  return html`<p>${t("account.signedInAs", { name })} <${Link} href="/dolacz-do-lokalu">${t("join.title")}<//></p>`;
}

// --- Register ----------------------------------------------------------------------------

const REGISTER_FIELDS = { email: "email", firstName: "first-name", lastName: "last-name" };

export function Register() {
  const viewer = useViewer();
  const form = useSending();
  const summary = useErrorSummary(form.errors, REGISTER_FIELDS);
  const [sentTo, setSentTo] = useState(null);
  if (sentTo) {
    return html`<div class="narrow">
      <${Done} level=${1} title=${t("account.checkEmail")}>
        <p>${t("register.sent", { email: sentTo })}</p>
        <p>${t("register.sentNext")}</p>
      <//>
      <p>${t("account.noEmail")}</p>
      <p><button type="button" class="button button--secondary" onClick=${() => setSentTo(null)}>${t("account.again")}</button></p>
    </div>`;
  }
  const onSubmit = (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    const values = {
      email: String(data.get("email")).trim(),
      firstName: String(data.get("firstName")).trim(),
      lastName: String(data.get("lastName")).trim(),
    };
    const missing = {};
    if (!values.email) missing.email = t("account.emailMissing");
    if (!values.firstName) missing.firstName = t("account.firstNameMissing");
    if (!values.lastName) missing.lastName = t("account.lastNameMissing");
    form.send(async () => {
      const answer = (await gql("UserRegister", values)).userRegister;
      if (answer.errors.length) return fieldErrors(answer.errors);
      setSentTo(values.email);
    }, missing);
  };
  const { errors, busy } = form;
  return html`<div class="narrow">
    <h1 tabindex="-1">${t("register.title")}</h1>
    ${viewer && html`<${SignedInAlready} viewer=${viewer} />`}
    <p>${t("register.intro")}</p>
    ${summary}
    <form onSubmit=${onSubmit} novalidate>
      <${TextField} id="first-name" name="firstName" label=${t("account.firstName")} error=${errors.firstName} autocomplete="given-name" />
      <${TextField} id="last-name" name="lastName" label=${t("account.lastName")} error=${errors.lastName} autocomplete="family-name" />
      <${TextField} id="email" name="email" type="email" label=${t("account.email")} hint=${t("register.emailHint")}
        error=${errors.email} autocomplete="email" autocapitalize="none" spellcheck="false" />
      <${SubmitButton} busy=${busy} label=${t("register.submit")} />
    </form>
    <p><${Link} href="/zaloguj">${t("account.haveAccount")}<//></p>
  </div>`;
}

// --- Confirm the account (the link in the e-mail) ---------------------------------------

const CONFIRM_FIELDS = { firstName: "first-name", lastName: "last-name", password: "password" };

function linkInvalid(errors) {
  return errors.some((error) => error.code === "TOKEN_INVALID");
}

function NewLinkHint({ href, label }) {
  return html`<p><${Link} href=${href}>${label}<//></p>`;
}

export function AccountConfirm({ params }) {
  const form = useSending();
  const summary = useErrorSummary(form.errors, CONFIRM_FIELDS);
  const [expired, setExpired] = useState(false);
  const onSubmit = (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    const values = {
      uid: params.uid,
      token: params.token,
      firstName: String(data.get("firstName")).trim(),
      lastName: String(data.get("lastName")).trim(),
      password: String(data.get("password")),
    };
    const missing = {};
    if (!values.firstName) missing.firstName = t("account.firstNameMissing");
    if (!values.lastName) missing.lastName = t("account.lastNameMissing");
    if (!values.password) missing.password = t("account.passwordMissing");
    form.send(async () => {
      const answer = await signingIn(async () => (await gql("AccountConfirm", values)).accountConfirm);
      if (answer.errors.length) {
        setExpired(linkInvalid(answer.errors));
        return fieldErrors(answer.errors);
      }
      forgetCsrfToken(); // signing in rotates Django's CSRF token
      await loadViewer();
      navigate("/dolacz-do-lokalu?nowe-konto=1", { replace: true });
    }, missing);
  };
  const { errors, busy } = form;
  return html`<div class="narrow">
    <h1 tabindex="-1">${t("confirm.title")}</h1>
    <p>${t("confirm.intro")}</p>
    ${summary}
    ${expired && html`<${NewLinkHint} href="/rejestracja" label=${t("confirm.newLink")} />`}
    <form onSubmit=${onSubmit} novalidate>
      <${TextField} id="first-name" name="firstName" label=${t("account.firstName")} error=${errors.firstName} autocomplete="given-name" />
      <${TextField} id="last-name" name="lastName" label=${t("account.lastName")} error=${errors.lastName} autocomplete="family-name" />
      <${TextField} id="password" name="password" type="password" label=${t("account.newPassword")} hint=${t("account.passwordHint")}
        error=${errors.password} autocomplete="new-password" />
      <${SubmitButton} busy=${busy} label=${t("confirm.submit")} />
    </form>
  </div>`;
}

// --- Forgotten password -----------------------------------------------------------------

const EMAIL_FIELDS = { email: "email" };

export function PasswordForgotten() {
  const form = useSending();
  const summary = useErrorSummary(form.errors, EMAIL_FIELDS);
  const [sentTo, setSentTo] = useState(null);
  if (sentTo) {
    return html`<div class="narrow">
      <${Done} level=${1} title=${t("account.checkEmail")}>
        <p>${t("forgotten.sent", { email: sentTo })}</p>
      <//>
      <p>${t("account.noEmail")}</p>
      <p><button type="button" class="button button--secondary" onClick=${() => setSentTo(null)}>${t("account.again")}</button></p>
      <p><${Link} href="/zaloguj">${t("account.toSignIn")}<//></p>
    </div>`;
  }
  const onSubmit = (event) => {
    event.preventDefault();
    const email = String(new FormData(event.target).get("email")).trim();
    form.send(
      async () => {
        const answer = (await gql("PasswordResetRequest", { email })).passwordResetRequest;
        if (answer.errors.length) return fieldErrors(answer.errors);
        setSentTo(email);
      },
      email ? {} : { email: t("account.emailMissing") },
    );
  };
  const { errors, busy } = form;
  return html`<div class="narrow">
    <h1 tabindex="-1">${t("forgotten.title")}</h1>
    <p>${t("forgotten.intro")}</p>
    ${summary}
    <form onSubmit=${onSubmit} novalidate>
      <${TextField} id="email" name="email" type="email" label=${t("account.email")} error=${errors.email}
        autocomplete="email" autocapitalize="none" spellcheck="false" />
      <${SubmitButton} busy=${busy} label=${t("forgotten.submit")} />
    </form>
    <p><${Link} href="/zaloguj">${t("account.toSignIn")}<//></p>
  </div>`;
}

// --- A new password by the e-mailed link -------------------------------------------------

const RESET_FIELDS = { newPassword: "new-password", newPasswordAgain: "new-password-again" };

export function PasswordResetConfirm({ params }) {
  const form = useSending();
  const summary = useErrorSummary(form.errors, RESET_FIELDS);
  const [expired, setExpired] = useState(false);
  const [done, setDone] = useState(false);
  if (done) {
    return html`<div class="narrow">
      <${Done} level=${1} title=${t("reset.done")}>
        <p>${t("reset.doneText")}</p>
      <//>
      <p><${Link} class="button" href="/">${t("notAvailable.home")}<//></p>
    </div>`;
  }
  const onSubmit = (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    const newPassword = String(data.get("newPassword"));
    const missing = {};
    if (!newPassword) missing.newPassword = t("account.passwordMissing");
    else if (newPassword !== String(data.get("newPasswordAgain"))) missing.newPasswordAgain = t("account.passwordsDiffer");
    form.send(async () => {
      const variables = { uid: params.uid, token: params.token, newPassword };
      const answer = await signingIn(async () => (await gql("PasswordResetConfirm", variables)).passwordResetConfirm);
      if (answer.errors.length) {
        setExpired(linkInvalid(answer.errors));
        return fieldErrors(answer.errors);
      }
      forgetCsrfToken(); // signing in rotates Django's CSRF token
      await loadViewer();
      setDone(true);
    }, missing);
  };
  const { errors, busy } = form;
  return html`<div class="narrow">
    <h1 tabindex="-1">${t("reset.title")}</h1>
    ${summary}
    ${expired && html`<${NewLinkHint} href="/nie-pamietam-hasla" label=${t("reset.newLink")} />`}
    <form onSubmit=${onSubmit} novalidate>
      <${TextField} id="new-password" name="newPassword" type="password" label=${t("account.newPassword")}
        hint=${t("account.passwordHint")} error=${errors.newPassword} autocomplete="new-password" />
      <${TextField} id="new-password-again" name="newPasswordAgain" type="password" label=${t("account.newPasswordAgain")}
        error=${errors.newPasswordAgain} autocomplete="new-password" />
      <${SubmitButton} busy=${busy} label=${t("reset.submit")} />
    </form>
  </div>`;
}

// --- Ask to join a unit ------------------------------------------------------------------

const JOIN_FIELDS = {
  buildingCode: "building-code",
  unitNumber: "unit-number",
  estateSlug: "estate",
  role: "role-OWNER",
  proofKind: "proof-LAND_REGISTER",
  proofValue: "proof-value",
};

function roleLabel(role) {
  if (role === "OWNER") return t("join.role.owner");
  if (role === "TENANT") return t("join.role.tenant");
  return t("join.role.board");
}

function proofLabel(kind) {
  if (kind === "LAND_REGISTER") return t("join.proof.landRegister");
  if (kind === "MEMBER_NUMBER") return t("join.proof.memberNumber");
  return t("join.proof.accessCode");
}

function proofHint(kind) {
  if (kind === "LAND_REGISTER") return t("join.proof.landRegisterHint");
  if (kind === "MEMBER_NUMBER") return t("join.proof.memberNumberHint");
  return t("join.proof.accessCodeHint");
}

function statusLabel(status) {
  if (status === "PENDING") return t("join.status.pending");
  if (status === "VERIFIED") return t("join.status.verified");
  if (status === "REJECTED") return t("join.status.rejected");
  return t("join.status.ended");
}

function Memberships({ memberships }) {
  if (!memberships?.length) return null;
  return html`<section class="section" aria-labelledby="my-units">
    <h2 id="my-units">${t("join.mine")}</h2>
    <ul class="list">
      ${memberships.map(
        ({ unit, role, status }) => html`<li>
          ${t("join.unit", { building: unit.building.code, number: unit.number })} (${unit.building.address}), ${roleLabel(role)}: <span class="status">${statusLabel(status)}</span>
        </li>`,
      )}
    </ul>
  </section>`;
}

export function JoinUnit() {
  const viewer = useViewer();
  const form = useSending();
  const summary = useErrorSummary(form.errors, JOIN_FIELDS);
  const [role, setRole] = useState("OWNER");
  const [proofKind, setProofKind] = useState("LAND_REGISTER");
  const [requested, setRequested] = useState(null);
  const newAccount = new URLSearchParams(window.location.search).has("nowe-konto");
  if (viewer === undefined) return html`<h1 tabindex="-1">${t("join.title")}</h1><p role="status">${t("common.loading")}</p>`;
  if (viewer === null) {
    return html`<div class="narrow">
      <h1 tabindex="-1">${t("join.title")}</h1>
      <p>${t("join.signInFirst")}</p>
      <p><${Link} class="button" href="/zaloguj?next=%2Fdolacz-do-lokalu">${t("nav.signIn")}<//></p>
      <p><${Link} href="/rejestracja">${t("join.noAccount")}<//></p>
    </div>`;
  }
  const onSubmit = (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    const values = {
      role,
      proofKind,
      buildingCode: String(data.get("buildingCode")).trim(),
      unitNumber: String(data.get("unitNumber")).trim(),
      proofValue: String(data.get("proofValue")).trim(),
    };
    const estate = data.get("estateSlug");
    if (estate) values.estateSlug = String(estate).trim();
    const missing = {};
    if (!values.buildingCode) missing.buildingCode = t("join.buildingMissing");
    if (!values.unitNumber) missing.unitNumber = t("join.unitMissing");
    if (!values.proofValue) missing.proofValue = t("join.proofMissing");
    form.send(async () => {
      const answer = (await gql("MembershipRequest", values)).membershipRequest;
      if (answer.errors.length) return fieldErrors(answer.errors);
      setRequested(answer.membership);
      event.target.reset();
      await loadViewer(); // the new request joins the viewer's memberships
    }, missing);
  };
  const { errors, busy } = form;
  return html`<div class="narrow">
    <h1 tabindex="-1">${t("join.title")}</h1>
    ${newAccount && !requested && html`<${Done} title=${t("join.welcome")}><p>${t("join.welcomeText")}</p><//>`}
    ${requested &&
    html`<${Done} title=${t("join.sent")}>
      <p>${t("join.sentText", { building: requested.unit.building.code, number: requested.unit.number })}</p>
    <//>`}
    <p>${t("join.intro")}</p>
    ${summary}
    <form onSubmit=${onSubmit} novalidate>
      <${TextField} id="building-code" name="buildingCode" label=${t("join.building")} hint=${t("join.buildingHint")}
        error=${errors.buildingCode} autocapitalize="characters" />
      <${TextField} id="unit-number" name="unitNumber" label=${t("join.unitNumber")} error=${errors.unitNumber} />
      ${errors.estateSlug &&
      html`<${TextField} id="estate" name="estateSlug" label=${t("join.estate")} hint=${t("join.estateHint")} error=${errors.estateSlug} />`}
      <${Choices} id="role" legend=${t("join.roleLegend")} error=${errors.role}>
        ${["OWNER", "TENANT", "BOARD"].map(
          (value) => html`<${Choice} id=${`role-${value}`} name="role" value=${value} label=${roleLabel(value)}
            checked=${role === value} onChange=${() => setRole(value)} />`,
        )}
      <//>
      <${Choices} id="proof" legend=${t("join.proofLegend")} hint=${t("join.proofHint")} error=${errors.proofKind}>
        ${["LAND_REGISTER", "MEMBER_NUMBER", "ACCESS_CODE"].map(
          (value) => html`<${Choice} id=${`proof-${value}`} name="proofKind" value=${value} label=${proofLabel(value)}
            checked=${proofKind === value} onChange=${() => setProofKind(value)} />`,
        )}
      <//>
      <${TextField} id="proof-value" name="proofValue" label=${proofLabel(proofKind)} hint=${proofHint(proofKind)}
        error=${errors.proofValue} autocapitalize="characters" spellcheck="false" />
      <${SubmitButton} busy=${busy} label=${t("join.submit")} />
    </form>
    <${Memberships} memberships=${viewer.memberships} />
  </div>`;
}
