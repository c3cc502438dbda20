/** Saves the SVG inside `host` as a file (hidden numbers stay hidden: the picture is what is on screen). */
export function downloadSvg(host: HTMLElement, filename: string): void {
  const svg = host.querySelector('svg');
  if (!svg) return;
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  for (const el of Array.from(clone.querySelectorAll<SVGElement>('[style*="hidden"]'))) el.remove();
  const blob = new Blob([`<?xml version="1.0" encoding="UTF-8"?>\n${clone.outerHTML}`], { type: 'image/svg+xml' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
