// Sign-in with the session cookie; back to the page the resident came from (?next=).

import { useState } from "preact/hooks";
import { ApiError, fieldErrors } from "../api.js";
import { ErrorSummary, Field, html, Link } from "../components.js";
import { t } from "../i18n.js";
import { navigate } from "../router.js";
import { signIn } from "../session.js";

// Addresses the hub answers itself (a document download after a refusal): opened as a
// whole page, not as a portal screen.
const HUB_SERVED = ["/documents/", "/media/", "/tickets/"];

function nextPath() {
  const asked = new URLSearchParams(window.location.search).get("next") || "/";
  // Only an address of this portal: browsers read "/\\evil" and "/<tab>/evil" as another
  // site, so the address is resolved as a browser would and its origin compared.
  if (!asked.startsWith("/") || /[\\\u0000-\u001f]/.test(asked)) return "/";
  try {
    const url = new URL(asked, window.location.origin);
    return url.origin === window.location.origin ? url.pathname + url.search + url.hash : "/";
  } catch {
    return "/";
  }
}

export function SignIn() {
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const onSubmit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const missing = {};
    if (!form.get("username")) missing.username = t("signIn.usernameMissing");
    if (!form.get("password")) missing.password = t("signIn.passwordMissing");
    setErrors(missing);
    if (Object.keys(missing).length) return;
    setBusy(true);
    try {
      const result = await signIn(form.get("username"), form.get("password"));
      if (result.errors) setErrors(fieldErrors(result.errors));
      else if (HUB_SERVED.some((prefix) => nextPath().startsWith(prefix))) window.location.assign(nextPath());
      else navigate(nextPath(), { replace: true });
    } catch (error) {
      setErrors({ _: error instanceof ApiError ? error.message : t("common.offline") });
    } finally {
      setBusy(false);
    }
  };
  return html`<div class="narrow">
    <h1 tabindex="-1">${t("signIn.title")}</h1>
    <${ErrorSummary} errors=${errors} fields=${{ username: "username", password: "password" }} />
    <form onSubmit=${onSubmit} novalidate>
      <${Field} id="username" label=${t("signIn.username")} error=${errors.username}>
        <input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false"
          aria-invalid=${errors.username ? "true" : undefined} aria-describedby=${errors.username ? "username-error" : undefined} />
      <//>
      <${Field} id="password" label=${t("signIn.password")} error=${errors.password}>
        <input id="password" name="password" type="password" autocomplete="current-password"
          aria-invalid=${errors.password ? "true" : undefined} aria-describedby=${errors.password ? "password-error" : undefined} />
      <//>
      <button type="submit" class="button" disabled=${busy} aria-busy=${busy ? "true" : undefined}>
        ${busy ? t("common.wait") : t("signIn.submit")}
      </button>
    </form>
    <ul class="list">
      <li><${Link} href="/nie-pamietam-hasla">${t("signIn.forgotten")}<//></li>
      <li><${Link} href="/rejestracja">${t("signIn.register")}<//></li>
    </ul>
  </div>`;
}
