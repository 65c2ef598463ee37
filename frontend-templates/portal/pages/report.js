// Placeholder until this screen is built: shows the progress indicator.

import { html, Loading } from "../components.js";

export function TicketReport() {
  return html`<${Loading} />`;
}

export function AnonymousReport() {
  return html`<${Loading} />`;
}
