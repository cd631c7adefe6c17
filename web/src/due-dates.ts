// Due dates are calendar days (YYYY-MM-DD) with no time zone: compare them with the person's
// own today, and show them in their locale without shifting a day.

function todayIso(now = new Date()): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export function isOverdue(dueDate: string | null, today = todayIso()): boolean {
  return dueDate !== null && dueDate < today;
}

/** In the host's locale (the document's lang, set from the host context), else the browser's. */
export function formatDueDate(dueDate: string): string {
  const [year, month, day] = dueDate.split('-').map(Number);
  const locale = document.documentElement.lang || undefined;
  return new Date(year!, month! - 1, day!).toLocaleDateString(locale, { day: 'numeric', month: 'short', year: 'numeric' });
}
