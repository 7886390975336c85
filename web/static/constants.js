// Timings and limits of the dashboard, and the API's status words.

export const INLINE_EVERY_MS = 5000;
export const FALLBACK_EVERY_MS = 30000;
export const CLOCK_EVERY_MS = 15000;
export const PAGE_SIZE = 50;
export const SEARCH_POOL = 500; // the API's largest page
export const STATUSES = ['pending', 'uploading', 'queued', 'running', 'completed', 'failed', 'cancelled'];
export const TOKEN_KEY = 'jobsync.api_token';
