// Reporting a fault: a resident for their unit or a common area of their building
// (TicketCreate), and someone without an account for a common area (TicketAnonymousCreate).
// Photos straight from the phone's camera go with the report (the GraphQL multipart
// request); the phone's position is offered, never required (no map tiles: the place is
// also described in words). The pieces the ticket page's forms share are exported.

import { Component } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, gql } from "../api.js";
import { ErrorSummary, Field, html, Link, Loaded, Loading, useQuery } from "../components.js";
import { currentLanguage, t } from "../i18n.js";
import { navigate, useLocation } from "../router.js";
import { useViewer } from "../session.js";
import { ticketHref, WINDOW_LABELS } from "./tickets.js";

export const MAX_PHOTOS = 5; // the API's TICKET_PHOTOS_PER_REQUEST
const SHRINK_ABOVE_BYTES = 3 * 1024 * 1024;
const SHRINK_TO_PIXELS = 2048;

// --- Shared by the ticket forms ------------------------------------------------------------

// The error summary, re-rendered (and so focused) only when the errors change, not each
// time something else on the form changes.
export class Summary extends Component {
  shouldComponentUpdate(next) {
    return next.errors !== this.props.errors;
  }
  render({ errors, fields }) {
    return html`<${ErrorSummary} errors=${errors} fields=${fields} />`;
  }
}

// A refused mutation's errors as {field: message}: the photos' errors ("photos.2") by the
// photo field, and those of fields the form does not have at its top ("_").
export function apiErrors(errors, known) {
  const byField = {};
  for (const error of errors || []) {
    let field = error.field || "_";
    if (field.startsWith("photos")) field = "photos";
    if (!known.includes(field)) field = "_";
    byField[field] = byField[field] ? `${byField[field]} ${error.message}` : error.message;
  }
  return byField;
}

// What the summary says when the request itself failed.
export function failure(error) {
  return { _: error instanceof ApiError ? error.message : t("common.offline") };
}

// aria-describedby for a field with a hint and perhaps an error.
export function described(id, { hint = false, error = null } = {}) {
  const ids = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean);
  return ids.length ? ids.join(" ") : undefined;
}

// A photo from a phone's camera can be larger than the hub accepts and slow to send on a
// weak connection: large ones are scaled down to 2048 px (as JPEG, without the position
// the camera wrote into the file). Anything that cannot be scaled is sent as it is.
async function shrink(file) {
  if (file.size <= SHRINK_ABOVE_BYTES || !window.createImageBitmap || !file.type.startsWith("image/")) return file;
  try {
    const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    const scale = Math.min(1, SHRINK_TO_PIXELS / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
    return blob ? new File([blob], file.name.replace(/\.\w+$/, "") + ".jpg", { type: "image/jpeg" }) : file;
  } catch {
    return file;
  }
}

// The variables and upload options for an operation with `$photos: [Upload!]`.
export async function withPhotos(variables, photos) {
  if (!photos.length) return [variables, {}];
  const files = await Promise.all(photos.map(shrink));
  return [
    { ...variables, photos: files.map(() => null) },
    { files: files.map((file, index) => ({ path: `variables.photos.${index}`, file })) },
  ];
}

function PhotoPreview({ file, index, onRemove }) {
  const [url, setUrl] = useState(null);
  useEffect(() => {
    const made = URL.createObjectURL(file);
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [file]);
  return html`<li class="ticket">
    <div class="ticket__thumb">${url && html`<img src=${url} alt="" />`}</div>
    <div>
      <p>${t("tickets.photos.chosen", { number: index + 1, name: file.name })}</p>
      <button type="button" class="button button--secondary" onClick=${onRemove}>
        ${t("tickets.photos.remove")}<span class="visually-hidden"> ${file.name}</span>
      </button>
    </div>
  </li>`;
}

// Photos from the camera or the gallery, added one choice at a time (a phone takes one
// picture per choice), at most MAX_PHOTOS.
export function PhotoPicker({ id = "photos", label, files, onChange, error }) {
  const [note, setNote] = useState("");
  const onPick = (event) => {
    const picked = [...event.target.files];
    const room = MAX_PHOTOS - files.length;
    onChange([...files, ...picked.slice(0, room)]);
    setNote(picked.length > room ? t("tickets.photos.tooMany", { count: MAX_PHOTOS }) : "");
    event.target.value = ""; // the same photo may be chosen again after removing it
  };
  return html`<${Field} id=${id} label=${label || t("tickets.photos.label")} hint=${t("tickets.photos.hint", { count: MAX_PHOTOS })} error=${error}>
    <input id=${id} type="file" accept="image/*" capture="environment" multiple
      disabled=${files.length >= MAX_PHOTOS}
      aria-invalid=${error ? "true" : undefined} aria-describedby=${described(id, { hint: true, error })}
      onChange=${onPick} />
    <p role="status">${note || (files.length ? t("tickets.photos.count", { count: files.length }) : "")}</p>
    ${files.length > 0 &&
    html`<ul class="tickets">
      ${files.map(
        (file, index) => html`<${PhotoPreview} key=${`${file.name}-${file.size}-${file.lastModified}`} file=${file} index=${index}
          onRemove=${() => onChange(files.filter((_, i) => i !== index))} />`,
      )}
    </ul>`}
  <//>`;
}

function CategoryField({ categories, value, onChange, error }) {
  const chosen = categories.find((category) => category.id === value);
  return html`<${Field} id="category" label=${t("tickets.report.category")} error=${error}
      hint=${chosen ? `${chosen.description} ${t("tickets.report.responseHours", { count: chosen.responseHours })}` : t("tickets.report.categoryHint")}>
      <select id="category" name="category" value=${value} onChange=${(event) => onChange(event.target.value)}
        aria-invalid=${error ? "true" : undefined} aria-describedby=${described("category", { hint: true, error })}>
        <option value="">${t("tickets.report.categoryChoose")}</option>
        ${categories.map((category) => html`<option value=${category.id}>${category.name}</option>`)}
      </select>
    <//>
    ${chosen?.urgency === "EMERGENCY" &&
    html`<div class="notice notice--error"><p>
      <strong>${t("tickets.report.emergency")}</strong> <a href="/#kontakt">${t("nav.emergency")}</a>
    </p></div>`}`;
}

function TextFields({ errors, locationHint }) {
  return html`
    <${Field} id="title" label=${t("tickets.report.title")} hint=${t("tickets.report.titleHint")} error=${errors.title}>
      <input id="title" name="title" type="text" maxlength="150" autocomplete="off"
        aria-invalid=${errors.title ? "true" : undefined} aria-describedby=${described("title", { hint: true, error: errors.title })} />
    <//>
    <${Field} id="description" label=${t("tickets.report.description")} hint=${t("tickets.report.descriptionHint")} error=${errors.description}>
      <textarea id="description" name="description" rows="5"
        aria-invalid=${errors.description ? "true" : undefined} aria-describedby=${described("description", { hint: true, error: errors.description })}></textarea>
    <//>
    <${Field} id="location" label=${t("tickets.report.location")} hint=${locationHint} error=${errors.location}>
      <input id="location" name="location" type="text" maxlength="150" autocomplete="off"
        aria-invalid=${errors.location ? "true" : undefined} aria-describedby=${described("location", { hint: true, error: errors.location })} />
    <//>`;
}

function Sending({ busy, photos }) {
  if (!busy) return null;
  return html`<p role="status">
    ${photos ? t("tickets.report.sendingPhotos", { count: photos }) : t("tickets.report.sending")}
    <progress aria-label=${t("tickets.report.sending")}></progress>
  </p>`;
}

function SubmitButton({ busy, label }) {
  return html`<button type="submit" class="button" disabled=${busy} aria-busy=${busy ? "true" : undefined}>
    ${busy ? t("common.wait") : label}
  </button>`;
}

// --- The phone's position ----------------------------------------------------------------------

function formatCoordinate(value) {
  return new Intl.NumberFormat(currentLanguage(), { maximumFractionDigits: 5 }).format(value);
}

// "Use my location": the phone's position with the report, if the resident wants it and
// the phone gives it. No map is drawn (none can be loaded); the place in words stays.
function PositionField({ position, onChange, error }) {
  if (!("geolocation" in navigator)) return null;
  const locate = () => {
    onChange({ state: "busy" });
    navigator.geolocation.getCurrentPosition(
      ({ coords }) =>
        onChange({
          state: "set",
          latitude: Math.round(coords.latitude * 1e6) / 1e6,
          longitude: Math.round(coords.longitude * 1e6) / 1e6,
          accuracy: Math.round(coords.accuracy),
        }),
      (problem) => onChange({ state: "failed", denied: problem.code === 1 }),
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 },
    );
  };
  let text = "";
  if (position.state === "busy") text = t("tickets.position.busy");
  if (position.state === "set")
    text = t("tickets.position.set", {
      latitude: formatCoordinate(position.latitude),
      longitude: formatCoordinate(position.longitude),
      accuracy: position.accuracy,
    });
  if (position.state === "failed") text = position.denied ? t("tickets.position.denied") : t("tickets.position.failed");
  return html`<div class=${`field${error ? " field--error" : ""}`}>
    <p><strong>${t("tickets.position.label")}</strong></p>
    <p class="hint" id="position-hint">${t("tickets.position.hint")}</p>
    ${error && html`<p class="field__error" id="position-error"><span class="visually-hidden">${t("form.error")}: </span>${error}</p>`}
    ${position.state === "set"
      ? html`<button type="button" id="position" class="button button--secondary" onClick=${() => onChange({ state: "none" })}
          aria-describedby=${described("position", { hint: true, error })}>${t("tickets.position.clear")}</button>`
      : html`<button type="button" id="position" class="button button--secondary" onClick=${locate}
          disabled=${position.state === "busy"} aria-describedby=${described("position", { hint: true, error })}>
          ${t("tickets.position.use")}</button>`}
    <p role="status" aria-live="polite">${text}</p>
  </div>`;
}

// --- A resident's report -----------------------------------------------------------------

function today() {
  return new Intl.DateTimeFormat("sv-SE", { timeZone: "Europe/Warsaw" }).format(new Date()); // YYYY-MM-DD
}

// The places a resident may report for: each unit they hold, and the common areas of
// those units' buildings.
function placesOf(viewer) {
  const units = (viewer.memberships || []).filter((membership) => membership.status === "VERIFIED").map((m) => m.unit);
  const places = units.map((unit) => ({
    value: `unit:${unit.id}`,
    unitId: unit.id,
    label: t("tickets.report.placeUnit", { building: unit.building.code, number: unit.number, address: unit.building.address }),
  }));
  const buildings = new Map(units.map((unit) => [unit.building.id, unit.building]));
  for (const building of buildings.values())
    places.push({
      value: `building:${building.id}`,
      buildingId: building.id,
      label: t("tickets.report.placeBuilding", { building: building.code, address: building.address }),
    });
  return places;
}

function WithoutAccount() {
  return html`<p>${t("tickets.report.commonWithoutAccount")}</p>
    <p><${Link} href="/zglos-usterke">${t("tickets.anonymous.title")}<//></p>`;
}

function PlaceField({ places, value, onChange, error }) {
  return html`<fieldset class=${error ? "field--error" : undefined} aria-describedby=${error ? "place-error" : undefined}>
    <legend><strong>${t("tickets.report.place")}</strong></legend>
    ${error && html`<p class="field__error" id="place-error"><span class="visually-hidden">${t("form.error")}: </span>${error}</p>`}
    ${places.map(
      (place, index) => html`<p>
        <label class="button button--secondary">
          <input type="radio" id=${`place-${index}`} name="place" value=${place.value} checked=${value === place.value}
            onChange=${() => onChange(place.value)} />${"\u00a0"}${place.label}
        </label>
      </p>`,
    )}
  </fieldset>`;
}

function VisitFields({ errors }) {
  return html`<fieldset>
    <legend><strong>${t("tickets.report.visit")}</strong></legend>
    <p class="hint">${t("tickets.report.visitHint")}</p>
    <${Field} id="date" label=${t("tickets.report.date")} error=${errors.preferredDate}>
      <input id="date" name="date" type="date" min=${today()}
        aria-invalid=${errors.preferredDate ? "true" : undefined} aria-describedby=${described("date", { error: errors.preferredDate })} />
    <//>
    <fieldset>
      <legend>${t("tickets.report.window")}</legend>
      ${Object.entries(WINDOW_LABELS).map(
        ([value, label], index) => html`<p>
          <label class="button button--secondary">
            <input type="radio" name="window" value=${value} defaultChecked=${index === 0} />${"\u00a0"}${label()}
          </label>
        </p>`,
      )}
    </fieldset>
    <p>
      <label class="button button--secondary">
        <input type="checkbox" name="entry" />${"\u00a0"}${t("tickets.report.entry")}
      </label>
    </p>
    <${Field} id="phone" label=${t("tickets.report.phone")} hint=${t("tickets.report.phoneHint")} error=${errors.contactPhone}>
      <input id="phone" name="phone" type="tel" autocomplete="tel"
        aria-invalid=${errors.contactPhone ? "true" : undefined} aria-describedby=${described("phone", { hint: true, error: errors.contactPhone })} />
    <//>
  </fieldset>`;
}

const REPORT_FIELDS = {
  place: "place-0",
  categoryId: "category",
  title: "title",
  description: "description",
  location: "location",
  latitude: "position",
  photos: "photos",
  preferredDate: "date",
  contactPhone: "phone",
};

function ReportForm({ viewer, categories }) {
  const places = placesOf(viewer);
  const [place, setPlace] = useState(places[0]?.value);
  const [categoryId, setCategoryId] = useState("");
  const [photos, setPhotos] = useState([]);
  const [position, setPosition] = useState({ state: "none" });
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const chosen = places.find((candidate) => candidate.value === place);

  const onSubmit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name) => String(form.get(name) || "").trim();
    const missing = {};
    if (!categoryId) missing.categoryId = t("tickets.report.categoryMissing");
    if (!text("title")) missing.title = t("tickets.report.titleMissing");
    if (!text("description")) missing.description = t("tickets.report.descriptionMissing");
    setErrors(missing);
    if (Object.keys(missing).length) return;
    const input = {
      categoryId,
      title: text("title"),
      description: text("description"),
      location: text("location"),
      ...(chosen.unitId ? { unitId: chosen.unitId } : { buildingId: chosen.buildingId }),
    };
    if (position.state === "set") Object.assign(input, { latitude: position.latitude, longitude: position.longitude });
    if (chosen.unitId) {
      Object.assign(input, {
        preferredWindow: text("window") || "ANY",
        entryPermitted: form.get("entry") === "on",
        contactPhone: text("phone"),
      });
      if (text("date")) input.preferredDate = text("date");
    }
    setBusy(true);
    try {
      const [variables, options] = await withPhotos({ input }, photos);
      const answer = (await gql("TicketCreate", variables, options)).ticketCreate;
      if (answer.errors.length) {
        const found = apiErrors(
          answer.errors.map((error) => (["unitId", "buildingId"].includes(error.field) ? { ...error, field: "place" } : error)),
          Object.keys(REPORT_FIELDS),
        );
        setErrors(found);
        return;
      }
      navigate(answer.ticket ? `${ticketHref(answer.ticket.id)}?wyslano=1` : "/zgloszenia");
    } catch (error) {
      setErrors(failure(error));
    } finally {
      setBusy(false);
    }
  };

  return html`<${Summary} errors=${errors} fields=${REPORT_FIELDS} />
    <form onSubmit=${onSubmit} novalidate>
      <${PlaceField} places=${places} value=${place} onChange=${setPlace} error=${errors.place} />
      <${CategoryField} categories=${categories} value=${categoryId} onChange=${setCategoryId} error=${errors.categoryId} />
      <${TextFields} errors=${errors} locationHint=${chosen?.unitId ? t("tickets.report.locationHintUnit") : t("tickets.report.locationHintCommon")} />
      <${PositionField} position=${position} onChange=${setPosition} error=${errors.latitude} />
      <${PhotoPicker} files=${photos} onChange=${setPhotos} error=${errors.photos} />
      ${chosen?.unitId && html`<${VisitFields} errors=${errors} />`}
      <${Sending} busy=${busy} photos=${photos.length} />
      <${SubmitButton} busy=${busy} label=${t("tickets.report.submit")} />
    </form>`;
}

export function TicketReport() {
  const viewer = useViewer();
  const categories = useQuery("TicketCategories");
  if (viewer === undefined) return html`<${Loading} />`;
  const heading = html`<h1 tabindex="-1">${t("tickets.report.heading")}</h1>`;
  if (viewer === null)
    return html`<div class="narrow">
      ${heading}
      <p>${t("tickets.report.signInFirst")}</p>
      <p><${Link} class="button" href=${`/zaloguj?next=${encodeURIComponent("/zgloszenia/nowe")}`}>${t("nav.signIn")}<//></p>
      <${WithoutAccount} />
    </div>`;
  if (!placesOf(viewer).length)
    return html`<div class="narrow">
      ${heading}
      <p>${t("tickets.report.noUnit")}</p>
      <p><${Link} class="button" href="/dolacz-do-lokalu">${t("tickets.report.joinUnit")}<//></p>
      <${WithoutAccount} />
    </div>`;
  return html`<div class="narrow">
    ${heading}
    <p>${t("tickets.report.intro")}</p>
    <${Loaded} query=${categories}>
      ${(data) => html`<${ReportForm} viewer=${viewer} categories=${data.ticketCategories} />`}
    <//>
  </div>`;
}

// --- Without an account ---------------------------------------------------------------------

function buildingsOf(data) {
  const found = new Map();
  for (const { node } of data.investments.edges) for (const building of node.buildings) found.set(building.id, building);
  for (const { node } of data.news.edges) for (const building of node.affectedBuildings) found.set(building.id, building);
  return [...found.values()].sort((a, b) => a.code.localeCompare(b.code, currentLanguage(), { numeric: true }));
}

const ANONYMOUS_FIELDS = {
  buildingId: "building",
  categoryId: "category",
  title: "title",
  description: "description",
  location: "location",
  photos: "photos",
  contactName: "name",
  contactPhone: "contact-phone",
  contactEmail: "email",
};

function AnonymousForm({ buildings, categories, onDone, site }) {
  const { search } = useLocation();
  const fromNotice = new URLSearchParams(search).get("budynek");
  const [buildingId, setBuildingId] = useState(buildings.some((b) => b.id === fromNotice) ? fromNotice : "");
  const [categoryId, setCategoryId] = useState("");
  const [photos, setPhotos] = useState([]);
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);

  const onSubmit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name) => String(form.get(name) || "").trim();
    const missing = {};
    if (!buildingId) missing.buildingId = t("tickets.anonymous.buildingMissing");
    if (!categoryId) missing.categoryId = t("tickets.report.categoryMissing");
    if (!text("title")) missing.title = t("tickets.report.titleMissing");
    if (!text("description")) missing.description = t("tickets.report.descriptionMissing");
    if (!text("contact-phone") && !text("email")) missing.contactPhone = t("tickets.anonymous.contactMissing");
    setErrors(missing);
    if (Object.keys(missing).length) return;
    const input = {
      buildingId,
      categoryId,
      title: text("title"),
      description: text("description"),
      location: text("location"),
      contactName: text("name"),
      contactPhone: text("contact-phone"),
      contactEmail: text("email"),
    };
    setBusy(true);
    try {
      const [variables, options] = await withPhotos({ input }, photos);
      const answer = (await gql("TicketAnonymousCreate", variables, options)).ticketAnonymousCreate;
      if (answer.errors.length) setErrors(apiErrors(answer.errors, Object.keys(ANONYMOUS_FIELDS)));
      else onDone(answer.reference);
    } catch (error) {
      setErrors(failure(error));
    } finally {
      setBusy(false);
    }
  };

  return html`<${Summary} errors=${errors} fields=${ANONYMOUS_FIELDS} />
    <form onSubmit=${onSubmit} novalidate>
      <${Field} id="building" label=${t("tickets.anonymous.building")} hint=${t("tickets.anonymous.buildingHint")} error=${errors.buildingId}>
        <select id="building" name="building" value=${buildingId} onChange=${(event) => setBuildingId(event.target.value)}
          aria-invalid=${errors.buildingId ? "true" : undefined} aria-describedby=${described("building", { hint: true, error: errors.buildingId })}>
          <option value="">${t("tickets.anonymous.buildingChoose")}</option>
          ${buildings.map(
            (building) => html`<option value=${building.id}>${t("tickets.anonymous.buildingOption", { building: building.code, address: building.address })}</option>`,
          )}
        </select>
      <//>
      <${CategoryField} categories=${categories} value=${categoryId} onChange=${setCategoryId} error=${errors.categoryId} />
      <${TextFields} errors=${errors} locationHint=${t("tickets.report.locationHintCommon")} />
      <${PhotoPicker} files=${photos} onChange=${setPhotos} error=${errors.photos} />
      <fieldset class="field">
        <legend><strong>${t("tickets.anonymous.contact")}</strong></legend>
        <p class="hint">${t("tickets.anonymous.contactHint")}</p>
        <${Field} id="name" label=${t("tickets.anonymous.name")} error=${errors.contactName}>
          <input id="name" name="name" type="text" autocomplete="name"
            aria-invalid=${errors.contactName ? "true" : undefined} aria-describedby=${described("name", { error: errors.contactName })} />
        <//>
        <${Field} id="contact-phone" label=${t("tickets.anonymous.phone")} error=${errors.contactPhone}>
          <input id="contact-phone" name="contact-phone" type="tel" autocomplete="tel"
            aria-invalid=${errors.contactPhone ? "true" : undefined} aria-describedby=${described("contact-phone", { error: errors.contactPhone })} />
        <//>
        <${Field} id="email" label=${t("tickets.anonymous.email")} error=${errors.contactEmail}>
          <input id="email" name="email" type="email" autocomplete="email" autocapitalize="none" spellcheck="false"
            aria-invalid=${errors.contactEmail ? "true" : undefined} aria-describedby=${described("email", { error: errors.contactEmail })} />
        <//>
      </fieldset>
      <${Sending} busy=${busy} photos=${photos.length} />
      <${SubmitButton} busy=${busy} label=${t("tickets.report.submit")} />
    </form>
    ${site?.phone && html`<p>${t("tickets.anonymous.orCall")} <a class="phone" href=${`tel:${site.phone}`}><strong>${site.phone}</strong></a></p>`}`;
}

function Reported({ reference, site, onAgain }) {
  useEffect(() => {
    document.querySelector("main h1")?.focus();
  }, []);
  return html`<div class="narrow">
    <h1 tabindex="-1">${t("tickets.anonymous.thanks")}</h1>
    <div class="card">
      <p>${t("tickets.anonymous.referenceIs")}</p>
      <p class="alert__title" id="reference"><strong>${reference}</strong></p>
      <p>${t("tickets.anonymous.keepReference")}</p>
      ${site?.phone && html`<p><a class="phone" href=${`tel:${site.phone}`}>${t("contact.office")}: <strong>${site.phone}</strong></a></p>`}
    </div>
    <p><button type="button" class="button button--secondary" onClick=${onAgain}>${t("tickets.anonymous.again")}</button></p>
    <p><${Link} href="/">${t("notAvailable.home")}<//></p>
  </div>`;
}

export function AnonymousReport({ site }) {
  const viewer = useViewer();
  const buildings = useQuery("TicketBuildings");
  const categories = useQuery("TicketCategories");
  const [reference, setReference] = useState(null);
  if (reference) return html`<${Reported} reference=${reference} site=${site} onAgain=${() => setReference(null)} />`;
  return html`<div class="narrow">
    <h1 tabindex="-1">${t("tickets.anonymous.title")}</h1>
    <p>${t("tickets.anonymous.intro")}</p>
    ${viewer &&
    html`<p><strong>${t("tickets.anonymous.signedIn")}</strong> <${Link} href="/zgloszenia/nowe">${t("tickets.report.heading")}<//></p>`}
    <${Loaded} query=${buildings}>
      ${(buildingData) => html`<${Loaded} query=${categories}>
        ${(categoryData) => {
          const found = buildingsOf(buildingData);
          if (!found.length)
            return html`<p>${t("tickets.anonymous.unavailable")}</p>
              ${site?.phone && html`<p><a class="phone" href=${`tel:${site.phone}`}>${t("contact.office")}: <strong>${site.phone}</strong></a></p>`}`;
          return html`<${AnonymousForm} buildings=${found} categories=${categoryData.ticketCategories} onDone=${setReference} site=${site} />`;
        }}
      <//>`}
    <//>
  </div>`;
}
