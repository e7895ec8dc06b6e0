/**
 * A chart as a PNG: the uPlot canvas drawn over the page background with the title on top
 * (uPlot's canvas is transparent, which looks broken in image viewers).
 */
export async function canvasToPngBlob(source: HTMLCanvasElement, title: string, background: string, textColor: string): Promise<Blob> {
  const pad = 16;
  const titleHeight = title ? 28 : 0;
  const out = document.createElement('canvas');
  out.width = source.width + pad * 2;
  out.height = source.height + pad * 2 + titleHeight;
  const ctx = out.getContext('2d');
  if (!ctx) throw new Error('this browser cannot draw on a 2D canvas');
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, out.width, out.height);
  if (title) {
    ctx.fillStyle = textColor;
    ctx.font = `600 ${Math.round(16 * (source.width / Math.max(1, source.clientWidth || source.width)))}px system-ui, sans-serif`;
    ctx.fillText(title, pad, pad + 16);
  }
  ctx.drawImage(source, pad, pad + titleHeight);
  return new Promise((resolve, reject) =>
    out.toBlob((b) => (b ? resolve(b) : reject(new Error('the chart could not be encoded as PNG'))), 'image/png'),
  );
}
