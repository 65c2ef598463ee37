// What a resident sees instead of content they may not read, or that does not exist:
// never an error, never the admin's staff sign-in.

import { html, Link } from "../components.js";
import { t } from "../i18n.js";
import { useViewer } from "../session.js";

export function NotAvailable({ path }) {
  const viewer = useViewer();
  const here = path || new URLSearchParams(window.location.search).get("next") || "/";
  return html`<div class="narrow">
    <h1 tabindex="-1">${t("notAvailable.title")}</h1>
    <p>${t("notAvailable.text")}</p>
    ${viewer === null &&
    html`<p>${t("notAvailable.signInHint")}</p>
      <p><${Link} class="button" href=${`/zaloguj?next=${encodeURIComponent(here)}`}>${t("nav.signIn")}<//></p>`}
    <p><${Link} href="/">${t("notAvailable.home")}<//></p>
  </div>`;
}
