import type { ViewerOutput } from './schemas.ts';
import type { Viewer } from '../../viewer.ts';

/** The viewer as tool results show it: signed in or not, and a display name. Never ids or tokens. */
export function viewerOutput(viewer: Viewer): ViewerOutput {
  if (!viewer.signedIn) return { signedIn: false };
  return viewer.name === undefined ? { signedIn: true } : { signedIn: true, name: viewer.name };
}
