/** Who is looking at the tickets page, and what that lets them do. */
import type { Ticket } from '@campus/contract/browser';
import type { Viewer } from '../api-types.ts';

export interface Who {
  viewer: Viewer;
  /** the staff username (the assignee of "my tickets"), null for a display or a script */
  me: string | null;
  /** the office (总务处): triage, dispatch, merge, bulk resolve */
  office: boolean;
  /** may act on this ticket: a script, staff whose trades include it, or the worker it is assigned to (as the staff API allows) */
  mayAct(x: Ticket): boolean;
}

export function whoIs(viewer: Viewer): Who {
  const me = viewer.kind === 'staff' ? (viewer.username ?? null) : null;
  const office = viewer.kind === 'service' || (viewer.kind === 'staff' && viewer.role === ('admin' as Viewer['role']));
  return {
    viewer,
    me,
    office,
    mayAct: (x) => viewer.kind === 'service' || (viewer.kind === 'staff' && (Boolean(viewer.trades?.includes(x.trade)) || (me !== null && x.assignee === me))),
  };
}
