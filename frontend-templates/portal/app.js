// The resident portal: the layout every page shares and the table of addresses. Pages
// live in pages/*.js; everything they show comes from the hub's GraphQL API (api.js).

import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { onConnectionChange } from "./api.js";
import { html, Link, useQuery } from "./components.js";
import { currentLanguage, LANGUAGES, loadLanguage, onLanguageChange, t } from "./i18n.js";
import { match, navigate, useLocation } from "./router.js";
import { signOut, useViewer } from "./session.js";
import { AccountConfirm, JoinUnit, PasswordForgotten, PasswordResetConfirm, Register } from "./pages/account.js";
import { Billing, BILLING_PATH } from "./pages/billing.js";
import { ContentPage } from "./pages/content.js";
import { Home } from "./pages/home.js";
import { Inbox } from "./pages/inbox.js";
import { NotAvailable } from "./pages/not-available.js";
import { Preview } from "./pages/preview.js";
import { PrintView } from "./pages/print.js";
import { AnonymousReport, TicketReport } from "./pages/report.js";
import { HeaderSearch, SEARCH_PATH, SearchPage } from "./pages/search.js";
import { ResolutionDetail, SurveyDetail, SurveyList, SURVEYS_PATH } from "./pages/surveys.js";
import { Settings } from "./pages/settings.js";
import { SignIn } from "./pages/sign-in.js";
import { TicketDetail } from "./pages/ticket.js";
import { TicketList } from "./pages/tickets.js";

// Addresses of the portal's own screens; any other path is a page of the site, asked for
// with page(urlPath:) (news, documents, investments, contractors and their items).
const ROUTES = [
  ["/", Home],
  ["/zaloguj", SignIn],
  ["/niedostepne", NotAvailable],
  ["/zgloszenia", TicketList],
  ["/zgloszenia/nowe", TicketReport],
  ["/zgloszenia/:id", TicketDetail],
  ["/zglos-usterke", AnonymousReport],
  ["/wiadomosci", Inbox],
  [BILLING_PATH, Billing],
  [SURVEYS_PATH, SurveyList],
  ["/ankiety/:id", SurveyDetail],
  ["/glosowania/:id", ResolutionDetail],
  ["/ustawienia", Settings],
  ["/rejestracja", Register],
  ["/konto/potwierdz/:uid/:token", AccountConfirm],
  ["/konto/nowe-haslo/:uid/:token", PasswordResetConfirm],
  ["/nie-pamietam-hasla", PasswordForgotten],
  ["/dolacz-do-lokalu", JoinUnit],
  ["/druk/:rest*", PrintView],
  ["/podglad", Preview],
  [SEARCH_PATH, SearchPage],
];

function ConnectionBanner() {
  const [state, setState] = useState("online");
  useEffect(() => onConnectionChange(setState), []);
  if (state === "online") return null;
  return html`<div class="connection" role="status" aria-live="polite">
    ${state === "retrying" ? t("common.retrying") : t("common.offline")}
  </div>`;
}

function Header({ site, path }) {
  const viewer = useViewer();
  const other = LANGUAGES.find((language) => language !== currentLanguage());
  const nav = [
    ["/", t("nav.home")],
    ["/aktualnosci/", t("nav.news")],
    ["/dokumenty/", t("nav.documents")],
    ["/inwestycje/", t("nav.investments")],
    ["/wykonawcy/", t("nav.contractors")],
    ...(viewer
      ? [
          ["/zgloszenia", t("nav.tickets")],
          [BILLING_PATH, t("nav.billing")],
          [SURVEYS_PATH, t("nav.surveys")],
          ["/wiadomosci", t("nav.inbox")],
          ["/ustawienia", t("nav.settings")],
        ]
      : []),
  ];
  const onSignOut = async () => {
    await signOut();
    navigate("/");
  };
  return html`<header class="header">
    <div class="header__bar">
      <${Link} href="/" class="header__name">${site?.name || t("app.name")}<//>
      <div class="header__tools">
        <a class="button button--emergency" href="/#kontakt">${t("nav.emergency")}</a>
        <button
          type="button"
          class="button button--secondary"
          lang=${other}
          onClick=${() => loadLanguage(other)}
        >
          ${t("nav.otherLanguage")}
        </button>
        ${viewer
          ? html`<button type="button" class="button button--secondary" onClick=${onSignOut}>${t("nav.signOut")}</button>`
          : html`<${Link} class="button" href=${`/zaloguj?next=${encodeURIComponent(path)}`}>${t("nav.signIn")}<//>`}
      </div>
    </div>
    <div class="header__bar header__bar--search"><${HeaderSearch} /></div>
    <nav aria-label=${t("nav.label")}>
      <ul class="nav">
        ${nav.map(
          ([href, label]) =>
            html`<li><${Link} href=${href} aria-current=${href === path ? "page" : undefined}>${label}<//></li>`,
        )}
      </ul>
    </nav>
  </header>`;
}

function App() {
  const { path } = useLocation();
  const [, setLanguage] = useState(currentLanguage());
  useEffect(() => onLanguageChange(setLanguage), []);
  const site = useQuery("Site");
  const found = match(ROUTES, path);
  const [firstPath] = useState(path);
  useEffect(() => {
    // After navigation (not on arrival), move focus to the new page's heading, so that a
    // screen reader announces it and the keyboard starts from it.
    if (path !== firstPath) document.querySelector("main h1")?.focus();
  }, [path]);
  useEffect(() => {
    // Each screen is named in the browser's title by its heading (WCAG 2.4.2), also when
    // the heading arrives with the screen's data.
    const main = document.getElementById("main");
    const name = site.data?.site?.name || t("app.name");
    const update = () => {
      const heading = main.querySelector("h1")?.textContent.trim();
      const title = heading && heading !== name ? `${heading} – ${name}` : name;
      if (document.title !== title) document.title = title;
    };
    const observer = new MutationObserver(update);
    observer.observe(main, { childList: true, subtree: true, characterData: true });
    update();
    return () => observer.disconnect();
  }, [site.data]);
  const page = found
    ? html`<${found.component} params=${found.params} site=${site.data?.site} />`
    : html`<${ContentPage} path=${path} />`;
  return html`
    <a class="skip-link" href="#main">${t("nav.skip")}</a>
    <${Header} site=${site.data?.site} path=${path} />
    <${ConnectionBanner} />
    <main id="main" class="main">${page}</main>
    <footer class="footer"><p>${site.data?.site?.name || t("app.name")}</p></footer>
  `;
}

loadLanguage().then(() => {
  const root = document.getElementById("app");
  root.replaceChildren(); // the "loading" text shown before the scripts ran
  render(html`<${App} />`, root);
});
