// Searching the directory: the search box in every page's header (with suggestions as
// one types), the results page (/szukaj?q=…) grouped by kind, and the pieces the
// contractors' and documents' pages share with it (a highlighted snippet, a result's
// link). Everything comes from the stored operations Search and SearchSuggest.

import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, gql } from "../api.js";
import { Field, html, Link, Loaded, MoreButton, useMore } from "../components.js";
import { formatDate, formatNumber, t } from "../i18n.js";
import { navigate, useLocation } from "../router.js";

export const SEARCH_PATH = "/szukaj";

// The kinds in the order results are grouped, with the word each has in the address
// (/szukaj?q=…&rodzaj=wykonawcy), so that a search can be linked to and bookmarked.
const KINDS = [
  ["CONTRACTOR", "wykonawcy"],
  ["DOCUMENT", "dokumenty"],
  ["NEWS", "aktualnosci"],
  ["INVESTMENT", "inwestycje"],
];
const KIND_OF_SLUG = Object.fromEntries(KINDS.map(([kind, slug]) => [slug, kind]));
const SLUG_OF_KIND = Object.fromEntries(KINDS);

// The API names kinds in its enum (CONTRACTOR) and in facet values as the index does
// (contractor): both read the same here.
const kindOf = (value) => String(value || "").toUpperCase();

// Suggestions are asked for from this many letters on, this long after the last key.
const SUGGEST_FROM = 2;
const SUGGEST_DELAY_MS = 200;
// The longest search the API takes (cms/core/directory_search.py, MAX_QUERY_LENGTH).
const MAX_LENGTH = 200;

export function searchHref(text, kind = null) {
  const params = new URLSearchParams({ q: text });
  if (kind) params.set("rodzaj", SLUG_OF_KIND[kind]);
  return `${SEARCH_PATH}?${params}`;
}

// Where a found thing opens: a page of the site by its address in the portal, a
// document by its download address (as the documents' list links it).
export function itemHref(node) {
  if (!node) return null;
  return node.__typename === "Document" ? node.downloadUrl : node.urlPath;
}

function openItem(node) {
  const href = itemHref(node);
  if (!href) return;
  if (node.__typename === "Document") window.location.assign(href);
  else navigate(href);
}

// A highlight's parts as text, the matched words in <mark> (never as HTML: the parts are
// the content's own words, which may hold anything).
export function Highlighted({ parts }) {
  return parts.map((part) => (part.match ? html`<mark>${part.text}</mark>` : part.text));
}

function highlightOf(result, field) {
  return result.highlights?.find((highlight) => highlight.field === field && highlight.parts.some((part) => part.match));
}

// A field's text with the matched words marked when the search matched it, else as it is.
function Marked({ result, field, text }) {
  const highlight = highlightOf(result, field);
  return highlight ? html`<${Highlighted} parts=${highlight.parts} />` : text;
}

// The fields a result shows in its own lines (title, a firm's trade and area); the other
// highlights are snippets: where else the words were found.
const SHOWN_FIELDS = new Set(["title", "trade", "area"]);

export function Snippets({ result }) {
  const snippets = (result.highlights || []).filter(
    (highlight) => !SHOWN_FIELDS.has(highlight.field) && highlight.parts.some((part) => part.match),
  );
  if (!snippets.length) return null;
  return html`${snippets.slice(0, 2).map(
    (highlight) => html`<p class="snippet"><${Highlighted} parts=${highlight.parts} /></p>`,
  )}`;
}

// A found thing's title as a link to it, the matched words marked.
export function ResultTitle({ result }) {
  const node = result.node;
  // One element inside the link: a standalone link is a flex box (styles.css), which
  // would lay the marked and unmarked parts out as separate boxes.
  const text = html`<span><${Marked} result=${result} field="title" text=${node.title} /></span>`;
  if (node.__typename === "Document") return html`<a href=${node.downloadUrl} download>${text}</a>`;
  return html`<${Link} href=${node.urlPath}>${text}<//>`;
}

// A firm's trade and area, the matched words marked.
export function ContractorFacts({ result }) {
  const node = result.node;
  return html`<p>
    <${Marked} result=${result} field="trade" text=${node.trade?.name} />
    ${node.areaServed && html`${" · "}<${Marked} result=${result} field="area" text=${node.areaServed} />`}
  </p>`;
}

function ResultFacts({ result }) {
  const node = result.node;
  switch (node.__typename) {
    case "Contractor":
      return html`<${ContractorFacts} result=${result} />
        ${node.phone && html`<p><a class="phone" href=${`tel:${node.phone}`}>${node.phone}</a></p>`}`;
    case "Document":
      return html`<p class="meta">
        ${[
          node.category && t(`documents.category.${node.category}`),
          node.fileExtension?.toUpperCase(),
          node.fileSize ? `${formatNumber(Math.max(1, Math.round(node.fileSize / 1024)))} kB` : null,
          node.year,
        ]
          .filter(Boolean)
          .join(", ")}
      </p>`;
    case "NewsItem":
      return node.date ? html`<p class="meta"><time datetime=${node.date}>${formatDate(node.date)}</time></p>` : null;
    case "Investment":
      return node.status ? html`<p class="status">${t(`investments.status.${node.status}`)}</p>` : null;
    default:
      return null;
  }
}

function Result({ result }) {
  const kind = kindOf(result.kind);
  return html`<li class="result">
    <p class="result__kind">${t(`search.kind.${kind}`)}</p>
    <h2 class="h3 result__title"><${ResultTitle} result=${result} /></h2>
    <${ResultFacts} result=${result} />
    <${Snippets} result=${result} />
  </li>`;
}

// "Nothing found": the nearest spelling that finds something, as a link that searches it.
export function NoResults({ text, suggestion, hrefFor = (word) => searchHref(word) }) {
  return html`<div class="no-results">
    <p role="status">${t("search.none", { query: text })}</p>
    ${suggestion &&
    html`<p class="did-you-mean">
      ${t("search.didYouMean")}${" "}<${Link} href=${hrefFor(suggestion)}><strong>${suggestion}</strong><//>?
    </p>`}
    <p>${t("search.tips")}</p>
    <ul>
      <li>${t("search.tipSpelling")}</li>
      <li>${t("search.tipFewer")}</li>
    </ul>
  </div>`;
}

// The facet's values by name ({value, label, count}), [] when the answer has none.
export function facetValues(connection, name) {
  return connection?.facets?.find((facet) => facet.name === name)?.values || [];
}

// "Wszystko (12) · Wykonawcy (4) · Dokumenty (3)": the kinds found, each a link
// narrowing the results to it. Counts come from the search across all kinds.
function KindLinks({ text, kind, counts, total }) {
  const found = KINDS.map(([name]) => [name, counts[name] || 0]).filter(([, count]) => count > 0);
  if (!found.length) return null;
  const links = [[null, total], ...found];
  return html`<nav aria-label=${t("search.kindsLabel")}>
    <ul class="kind-links">
      ${links.map(
        ([name, count]) => html`<li>
          <${Link} href=${searchHref(text, name)} aria-current=${name === kind ? "page" : undefined}>
            ${t("search.kindCount", { label: name ? t(`search.kinds.${name}`) : t("search.kinds.ALL"), count })}
          <//>
        </li>`,
      )}
    </ul>
  </nav>`;
}

function kindCounts(connection) {
  return Object.fromEntries(facetValues(connection, "kind").map((value) => [kindOf(value.value), value.count]));
}

// The results page: /szukaj?q=…(&rodzaj=wykonawcy).
export function SearchPage() {
  const { search } = useLocation();
  const params = new URLSearchParams(search);
  const text = (params.get("q") || "").trim();
  const kind = KIND_OF_SLUG[params.get("rodzaj")] || null;
  const variables = { query: text, first: 20, ...(kind ? { kinds: [kind] } : {}) };
  const list = useMore(text ? "Search" : null, "search", variables);
  // A search the API refuses (too long, a character it does not take): its message by
  // the field, in the reader's language, rather than "could not load".
  const error = list.query.error;
  const refused = error instanceof ApiError && error.code === "BAD_USER_INPUT" ? error.message : null;
  return html`<h1 tabindex="-1">${text ? t("search.titleFor", { query: text }) : t("search.title")}</h1>
    <form class="search-again" role="search" aria-label=${t("search.againLabel")} onSubmit=${(event) => {
      event.preventDefault();
      const again = new FormData(event.target).get("q").trim();
      if (again) navigate(searchHref(again, kind));
    }}>
      <${Field} id="search-again" label=${t("search.again")} error=${refused}>
        <div class="search-row">
          <input
            id="search-again"
            name="q"
            type="search"
            value=${text}
            maxlength=${MAX_LENGTH}
            autocomplete="off"
            spellcheck=${false}
            aria-describedby=${refused ? "search-again-error" : undefined}
            aria-invalid=${refused ? "true" : undefined}
          />
          <button type="submit" class="button">${t("search.submit")}</button>
        </div>
      <//>
    </form>
    ${text && !refused
      ? html`<${Loaded} query=${list.query}>
          ${(data) => {
            const connection = data.search;
            // The kind facet counts every kind, whichever one is open (a facet is
            // counted without its own filter): "Wszystko" is their sum.
            const counts = kindCounts(connection);
            const all = Object.values(counts).reduce((sum, count) => sum + count, 0);
            const kindLinks = html`<${KindLinks} text=${text} kind=${kind} counts=${counts} total=${kind ? all : connection.totalCount} />`;
            if (!connection.totalCount) {
              // Nothing of the kind open, maybe something of another: its link stays.
              return html`${all > 0 && kindLinks}
                <${NoResults} text=${text} suggestion=${connection.suggestion} hrefFor=${(word) => searchHref(word, kind)} />`;
            }
            return html`${kindLinks}
              <p role="status">${t("search.count", { count: connection.totalCount })}</p>
              <ol class="results">
                ${list.edges.map(({ node }) => html`<${Result} result=${node} />`)}
              </ol>
              <${MoreButton} list=${list} />`;
          }}
        <//>`
      : html`<p>${t("search.empty")}</p>`}`;
}

// The search box in every page's header: a form that opens the results page, with
// suggestions as one types (the ARIA combobox pattern: the focus stays in the field, the
// arrows move through the suggestions, Enter opens the one chosen, Escape closes them).
export function HeaderSearch() {
  const { path, search } = useLocation();
  const current = path === SEARCH_PATH ? new URLSearchParams(search).get("q") || "" : "";
  const [text, setText] = useState(current);
  const [options, setOptions] = useState([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const asked = useRef(0); // the latest request: an older answer arriving late is dropped
  const timer = useRef(null);
  useEffect(() => setText(current), [current]);
  useEffect(() => () => clearTimeout(timer.current), []);

  const close = () => {
    setOpen(false);
    setActive(-1);
  };
  const ask = (value) => {
    clearTimeout(timer.current);
    const prefix = value.trim();
    asked.current += 1;
    if (prefix.length < SUGGEST_FROM) {
      setOptions([]);
      close();
      return;
    }
    const round = asked.current;
    timer.current = setTimeout(async () => {
      try {
        const data = await gql("SearchSuggest", { prefix, first: 8 });
        if (round !== asked.current) return;
        setOptions(data.searchSuggest || []);
        setActive(-1);
        setOpen(true);
      } catch {
        // Suggestions are a help: without them the form still searches.
        if (round === asked.current) {
          setOptions([]);
          close();
        }
      }
    }, SUGGEST_DELAY_MS);
  };
  const choose = (option) => {
    asked.current += 1;
    clearTimeout(timer.current);
    close();
    setOptions([]);
    setText(""); // the item opens: what was typed to find it is done with
    openItem(option.node);
  };
  const expanded = open && options.length > 0;
  const onKeyDown = (event) => {
    if (event.key === "ArrowDown") {
      if (!options.length) return;
      event.preventDefault();
      setOpen(true);
      setActive(expanded ? Math.min(active + 1, options.length - 1) : 0);
    } else if (event.key === "ArrowUp") {
      if (!expanded) return;
      event.preventDefault();
      setActive(Math.max(active - 1, -1));
    } else if (event.key === "Enter") {
      if (expanded && active >= 0) {
        event.preventDefault();
        choose(options[active]);
      }
    } else if (event.key === "Escape") {
      if (expanded) {
        event.preventDefault();
        close();
      }
    } else if (event.key === "Tab") {
      close();
    }
  };
  const onSubmit = (event) => {
    event.preventDefault();
    asked.current += 1;
    clearTimeout(timer.current);
    close();
    const query = text.trim();
    if (query) navigate(searchHref(query));
  };
  const optionId = (index) => `header-search-option-${index}`;
  // Below, the count of suggestions is announced by a live region without the status
  // role: a page's own status line (a form's "sent") stays the only one.
  return html`<form class="header__search" role="search" aria-label=${t("search.label")} onSubmit=${onSubmit}>
    <label for="header-search" class="visually-hidden">${t("search.field")}</label>
    <div class="search-row">
      <div class="combobox">
        <input
          id="header-search"
          name="q"
          type="text"
          role="combobox"
          aria-autocomplete="list"
          aria-expanded=${expanded ? "true" : "false"}
          aria-controls="header-search-options"
          aria-activedescendant=${expanded && active >= 0 ? optionId(active) : undefined}
          aria-describedby="header-search-hint"
          autocomplete="off"
          spellcheck=${false}
          maxlength=${MAX_LENGTH}
          placeholder=${t("search.placeholder")}
          value=${text}
          onInput=${(event) => {
            setText(event.target.value);
            ask(event.target.value);
          }}
          onKeyDown=${onKeyDown}
          onBlur=${close}
        />
        <ul id="header-search-options" role="listbox" aria-label=${t("search.suggestions")} class="combobox__options" hidden=${!expanded}>
          ${expanded &&
          options.map(
            (option, index) => html`<li
              id=${optionId(index)}
              role="option"
              aria-selected=${index === active ? "true" : "false"}
              class=${`combobox__option${index === active ? " combobox__option--active" : ""}`}
              onMouseDown=${(event) => event.preventDefault()}
              onClick=${() => choose(option)}
            >
              <span class="combobox__title">${option.node?.title || option.text}</span>
              <span class="combobox__kind">${t(`search.kind.${kindOf(option.kind)}`)}${
                option.node?.title && option.text && !option.node.title.includes(option.text) ? ` · ${option.text}` : ""
              }</span>
            </li>`,
          )}
        </ul>
      </div>
      <button type="submit" class="button button--search">${t("search.submit")}</button>
    </div>
    <span id="header-search-hint" class="visually-hidden">${t("search.hint")}</span>
    <span id="header-search-status" class="visually-hidden" aria-live="polite" aria-atomic="true">
      ${open ? (options.length ? t("search.suggestionCount", { count: options.length }) : t("search.noSuggestions")) : ""}
    </span>
  </form>`;
}
