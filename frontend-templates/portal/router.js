// Addresses are real paths (/zgloszenia/12), so links in messages and rich text open the
// right page, and the hub serves the portal's index.html at each of them.

import { useEffect, useState } from "preact/hooks";

const listeners = new Set();

// Changes the portal's address. Another site is opened only when the caller says so
// (`external`: a message's link to a website); otherwise such an address goes home.
export function navigate(href, { replace = false, external = false } = {}) {
  const url = new URL(href, window.location.href);
  if (url.origin !== window.location.origin) {
    if (external) window.location.assign(url.href);
    else navigate("/", { replace });
    return;
  }
  window.history[replace ? "replaceState" : "pushState"]({}, "", url.pathname + url.search + url.hash);
  for (const listener of listeners) listener();
  window.scrollTo(0, 0);
}

export function useLocation() {
  const [location, setLocation] = useState(() => ({ path: window.location.pathname, search: window.location.search }));
  useEffect(() => {
    const update = () => setLocation({ path: window.location.pathname, search: window.location.search });
    listeners.add(update);
    window.addEventListener("popstate", update);
    return () => {
      listeners.delete(update);
      window.removeEventListener("popstate", update);
    };
  }, []);
  return location;
}

function decodedOrNull(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

// [pattern, component] pairs; `:name` matches one path segment, `:name*` the rest of the
// path. The first match wins.
export function match(routes, path) {
  for (const [pattern, component] of routes) {
    const names = [];
    const regex = new RegExp(
      `^${pattern.replace(/\/$/, "").replace(/:(\w+)(\*?)/g, (_, name, rest) => (names.push(name), rest ? "(.+)" : "([^/]+)"))}/?$`,
    );
    const found = path.match(regex);
    if (!found) continue;
    // A mistyped address ("%E0%A4%A") is no screen's: it falls through to the page lookup,
    // which answers "not available".
    const values = names.map((name, i) => decodedOrNull(found[i + 1]));
    if (values.includes(null)) return null;
    return { component, params: Object.fromEntries(names.map((name, i) => [name, values[i]])) };
  }
  return null;
}
