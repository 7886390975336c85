// A local run's newest validation image in the detail panel: fetched with
// the token (an <img src> could not send it) and shown from a blob URL.

import { $, h } from './dom.js';
import { apiBlob, jobPath } from './api.js';
import { state } from './state.js';

// What the panel shows for the selected job: loading, the image, none yet,
// or why it failed. The blob URL of a previous job is released.
function setValidation(next) {
  const old = state.validation;
  if (old && old.url && (!next || old.url !== next.url)) URL.revokeObjectURL(old.url);
  state.validation = next;
}

export async function loadValidationImage(id) {
  const previous = state.validation && state.validation.jobId === id ? state.validation : null;
  if (!previous) setValidation({ jobId: id, loading: true });
  renderValidation();
  let next;
  try {
    const blob = await apiBlob(`${jobPath(id)}/validation/latest`);
    next = { jobId: id, url: URL.createObjectURL(blob) };
  } catch (e) {
    next = e.status === 404 ? { jobId: id, missing: true } : { jobId: id, error: e.detail };
  }
  if (state.selected !== id) {
    if (next.url) URL.revokeObjectURL(next.url);
    return;
  }
  setValidation(next);
  renderValidation();
}

export function forgetValidationImage() {
  setValidation(null);
}

// The section's frame; renderValidation fills it.
export function validationSection() {
  return h('section', { class: 'detail-section' }, h('h3', { text: 'Validation image' }),
    h('div', { class: 'validation', id: 'detail-validation' }));
}

export function renderValidation() {
  const box = $('detail-validation');
  if (!box) return;
  const v = state.validation;
  if (!v || v.loading) box.replaceChildren(h('p', { class: 'muted', text: 'Loading the validation image…' }));
  else if (v.url) box.replaceChildren(h('img', { src: v.url, alt: `Newest validation image of ${v.jobId}`, id: 'validation-image' }));
  else if (v.missing) box.replaceChildren(h('p', { class: 'muted', text: 'No validation image yet.' }));
  else box.replaceChildren(h('p', { class: 'error', text: `The validation image is not available: ${v.error}` }));
}
