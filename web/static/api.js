// The REST API: fetch with the token, JSON errors as ApiError.

import { state } from './state.js';
import { needToken } from './token.js';

class ApiError extends Error {
  constructor(status, code, detail) {
    super(detail);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

export async function api(path, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json' };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  const init = { method, headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'network', 'Cannot reach the jobsync server. Is it running?');
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch (e) { data = null; }
  }
  if (!res.ok) {
    const detail = (data && data.detail) || `${res.status} ${res.statusText || 'error'}`;
    const err = new ApiError(res.status, (data && data.error) || `http_${res.status}`, detail);
    if (res.status === 401) needToken(detail);
    throw err;
  }
  return data;
}

// A binary answer (an image) as a Blob; errors as api() throws them.
export async function apiBlob(path) {
  const headers = {};
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  let res;
  try {
    res = await fetch(path, { headers });
  } catch (e) {
    throw new ApiError(0, 'network', 'Cannot reach the jobsync server. Is it running?');
  }
  if (!res.ok) {
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    const detail = (data && data.detail) || `${res.status} ${res.statusText || 'error'}`;
    if (res.status === 401) needToken(detail);
    throw new ApiError(res.status, (data && data.error) || `http_${res.status}`, detail);
  }
  return res.blob();
}

export const jobPath = (id) => `/api/cloud/jobs/${encodeURIComponent(id)}`;
