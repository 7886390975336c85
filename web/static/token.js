// Asking for the API token when the server requires one.

import { $, icon } from './dom.js';
import { state, writeToken } from './state.js';

export function needToken(detail) {
  state.authRequired = true;
  $('token-button').hidden = false;
  const dlg = $('token-dialog');
  if (dlg.open) return;
  $('token-text').textContent = state.token
    ? `The server refused the saved token: ${detail}`
    : 'This server requires an API token (server.api_token). It is kept in this browser only.';
  $('token-input').value = '';
  dlg.showModal();
}

// `onChange` runs after the token was saved or cleared.
export function setupToken(onChange) {
  const btn = $('token-button');
  btn.append(icon('key'));
  btn.hidden = !state.token;
  btn.addEventListener('click', () => {
    $('token-text').textContent = 'The token sent as "Authorization: Bearer" with every request. It is kept in this browser only.';
    $('token-input').value = state.token;
    $('token-dialog').showModal();
  });
  // Enter in the field submits with Save (the first submit button).
  $('token-clear').addEventListener('click', () => $('token-dialog').close('clear'));
  $('token-dialog').addEventListener('close', () => {
    const v = $('token-dialog').returnValue;
    if (v === 'save') {
      state.token = $('token-input').value.trim();
      writeToken(state.token);
    } else if (v === 'clear') {
      state.token = '';
      writeToken('');
    } else {
      return;
    }
    $('token-button').hidden = !state.token && !state.authRequired;
    onChange();
  });
}
