import { closestCenter, KeyboardCode, pointerWithin, type CollisionDetection, type KeyboardCoordinateGetter } from '@dnd-kit/core';
import { sortableKeyboardCoordinates } from '@dnd-kit/sortable';
import { CANVAS_ID, SUBFORM_PREFIX } from './Canvas.tsx';
import { PALETTE_PREFIX } from './Palette.tsx';

export const isPaletteId = (id: unknown) => String(id).startsWith(PALETTE_PREFIX);
export const isSubformZone = (id: unknown) => String(id).startsWith(SUBFORM_PREFIX);

/**
 * Palette items may land on the canvas, on a field (insert next to it) or on a subform (add a column);
 * canvas fields only sort among themselves.
 */
export const designerCollision: CollisionDetection = (args) => {
  if (isPaletteId(args.active.id)) {
    const hits = pointerWithin(args);
    if (hits.length) {
      return [hits.find((c) => isSubformZone(c.id)) ?? hits.find((c) => c.id !== CANVAS_ID && !isSubformZone(c.id)) ?? hits[0]];
    }
    if (args.pointerCoordinates) return [];
    // Keyboard drags have no pointer: take the smallest target under the dragged item's centre.
    const { left, top, width, height } = args.collisionRect;
    const cx = left + width / 2;
    const cy = top + height / 2;
    const containing = args.droppableContainers
      .map((c) => ({ id: c.id, rect: args.droppableRects.get(c.id) }))
      .filter((t) => t.rect && cx >= t.rect.left && cx <= t.rect.left + t.rect.width && cy >= t.rect.top && cy <= t.rect.top + t.rect.height)
      .sort((a, b) => a.rect!.width * a.rect!.height - b.rect!.width * b.rect!.height);
    return containing.length ? [{ id: containing[0].id }] : [];
  }
  return closestCenter({ ...args, droppableContainers: args.droppableContainers.filter((c) => c.id !== CANVAS_ID && !isSubformZone(c.id)) });
};

const MOVES = [KeyboardCode.Down, KeyboardCode.Right, KeyboardCode.Up, KeyboardCode.Left] as string[];

/**
 * Arrow keys walk a palette item through every drop target in reading order (fields, subform zones, then the
 * canvas itself), so a keyboard user can place a new field anywhere; canvas fields use the sortable default.
 */
export const designerKeyboardCoordinates: KeyboardCoordinateGetter = (event, args) => {
  const { active, droppableRects, droppableContainers, collisionRect, over } = args.context;
  if (!active || !isPaletteId(active.id)) return sortableKeyboardCoordinates(event, args);
  if (!MOVES.includes(event.code)) return undefined;
  event.preventDefault();
  if (!collisionRect) return undefined;
  const targets = droppableContainers
    .getEnabled()
    .map((c) => ({ id: c.id, rect: droppableRects.get(c.id) }))
    .filter((t): t is { id: typeof t.id; rect: NonNullable<typeof t.rect> } => Boolean(t.rect))
    .sort((a, b) => (a.id === CANVAS_ID ? 1 : b.id === CANVAS_ID ? -1 : a.rect.top - b.rect.top || a.rect.left - b.rect.left));
  if (!targets.length) return undefined;
  const current = targets.findIndex((t) => t.id === over?.id);
  const forward = event.code === KeyboardCode.Down || event.code === KeyboardCode.Right;
  const nextIndex = current < 0 ? 0 : Math.max(0, Math.min(targets.length - 1, current + (forward ? 1 : -1)));
  const { rect } = targets[nextIndex];
  // The canvas is tall; aim at its bottom so "drop on canvas" reads as "append at the end".
  const centerY = targets[nextIndex].id === CANVAS_ID ? rect.top + rect.height - 12 : rect.top + rect.height / 2;
  return { x: rect.left + rect.width / 2 - collisionRect.width / 2, y: centerY - collisionRect.height / 2 };
};
