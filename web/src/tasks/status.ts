/** Tag colours of instance and task states. */
export const STATUS_COLORS: Record<string, string> = {
  running: 'processing',
  open: 'processing',
  waiting: 'default',
  approved: 'success',
  done: 'success',
  submitted: 'success',
  rejected: 'error',
  failed: 'error',
  sentBack: 'warning',
  transferred: 'default',
  withdrawn: 'default',
  terminated: 'warning',
  cancelled: 'default',
  cc: 'cyan',
};
