export type WorkflowErrorStatus = 403 | 404 | 409 | 422;

export type WorkflowErrorCode =
  | 'unknown_event'
  | 'unknown_action'
  | 'task_not_found'
  | 'task_closed'
  | 'instance_finished'
  | 'instance_running'
  | 'not_assignee'
  | 'not_initiator'
  | 'not_admin'
  | 'action_not_allowed'
  | 'field_not_editable'
  | 'comment_required'
  | 'invalid_target'
  | 'invalid_member'
  | 'already_assignee'
  | 'nested_add_signer'
  | 'invalid_position'
  | 'withdraw_not_allowed';

/** A refused event. The interpreter changes nothing when it throws one; `status` maps to HTTP. */
export class WorkflowActionError extends Error {
  readonly code: WorkflowErrorCode;
  readonly status: WorkflowErrorStatus;
  readonly details?: Record<string, unknown>;

  constructor(status: WorkflowErrorStatus, code: WorkflowErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'WorkflowActionError';
    this.status = status;
    this.code = code;
    if (details) this.details = details;
  }
}

export function refuse(status: WorkflowErrorStatus, code: WorkflowErrorCode, message: string, details?: Record<string, unknown>): never {
  throw new WorkflowActionError(status, code, message, details);
}
