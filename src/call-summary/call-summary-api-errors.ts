import type { ApiErrorCase } from '../docs/api-responses.decorator.js';
import { SUMMARY_NOT_FOUND } from './call-summary.operation.js';

export const SUMMARY_NOT_FOUND_ERROR: ApiErrorCase = {
  name: 'summaryNotFound',
  status: 404,
  message: SUMMARY_NOT_FOUND.message,
  when:
    'Admin Control has no summary for the room (not written yet, or no such room), ' +
    'or the file it names is not in S3',
};

/** What the S3 read adds to the shared upstream cases (same messages, other causes). */
export const SUMMARY_API_ERRORS: readonly ApiErrorCase[] = [
  {
    name: 'summaryBadGateway',
    status: 502,
    message: 'Bad gateway',
    when:
      "Admin Control's answer names another room or a file_url that is not a relative object " +
      'key; or S3 refused (access denied, bad credentials, no such bucket) or failed; or the ' +
      'summary is larger than SUMMARY_MAX_BYTES or not valid UTF-8',
  },
  {
    name: 'summariesOff',
    status: 503,
    message: 'Service unavailable',
    when:
      'S3 is not configured on this server (S3_BUCKET unset); no Retry-After, since waiting ' +
      'does not help',
  },
  {
    name: 's3BreakerOpen',
    status: 503,
    message: 'Service unavailable',
    when: 'S3 is failing and its circuit breaker is open',
    headers: ['Retry-After'],
  },
  {
    name: 'summaryTimeout',
    status: 504,
    message: 'Gateway timeout',
    when:
      "S3 did not answer within S3_TIMEOUT_MS, or the request's overall deadline (the longer " +
      'of ADMIN_TIMEOUT_MS and S3_TIMEOUT_MS) passed',
  },
];
