// The book's "Try the network" page: galaxylib's crop and a stored network, in the browser.
//
// The crop is galaxylib.preprocess.crop_file, step for step (its Python names are in the
// comments): find the galaxy on a small grey copy of the image, decode again at the
// smallest reduction that keeps `size` pixels across its box, cut the box out (black
// where it leaves the frame) and resize it. The network is the stored one, exported to
// ONNX by the build (build_tools/try_page.py) and run by ONNX Runtime for the web on one
// thread; like `galaxylib predict`, it averages the answers over the eight rotations and
// mirror images of the crop. Everything the page states about a network comes from
// networks.json, which the build writes from the library's own records.

const HERE = new URL("./try/", import.meta.url);
const page = await (await fetch(new URL("networks.json", HERE))).json();
const ort = globalThis.ort;
ort.env.wasm.numThreads = 1; // GitHub Pages sends no cross-origin isolation headers
ort.env.wasm.wasmPaths = new URL("ort/", HERE).href;

// ------------------------------------------------------------------ images as arrays

// An image as {width, height, channels, data}: data holds 3 bytes a pixel, row after row;
// bitmap is the decoded image, to draw.
async function decode(blob) {
  const bitmap = await createImageBitmap(blob, {
    colorSpaceConversion: "none",
    premultiplyAlpha: "none",
  });
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(bitmap, 0, 0);
  const rgba = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
  const rgb = new Uint8Array(bitmap.width * bitmap.height * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i];
    rgb[j + 1] = rgba[i + 1];
    rgb[j + 2] = rgba[i + 2];
  }
  return { width: bitmap.width, height: bitmap.height, channels: 3, data: rgb, bitmap };
}

// The grey image OpenCV decodes: 0.299 R + 0.587 G + 0.114 B, as libpng computes it for
// a PNG (15-bit weights, truncated) and as OpenCV's COLOR_RGB2GRAY does for any other
// file (14-bit, rounded; a JPEG's decoder reads its own luma, which this approximates).
function grey(image, png) {
  const out = new Uint8Array(image.width * image.height);
  const d = image.data;
  for (let i = 0, j = 0; i < out.length; i++, j += 3) {
    out[i] = png
      ? (d[j] * 9797 + d[j + 1] * 19234 + d[j + 2] * 3737) >> 15
      : (d[j] * 4899 + d[j + 1] * 9617 + d[j + 2] * 1868 + 8192) >> 14;
  }
  return { width: image.width, height: image.height, channels: 1, data: out };
}

// "jpeg", "png" or "other", from the file's first bytes (as OpenCV tells them apart).
async function fileKind(blob) {
  const head = new Uint8Array(await blob.slice(0, 4).arrayBuffer());
  if (head[0] === 0xff && head[1] === 0xd8) return "jpeg";
  if (head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47) return "png";
  return "other";
}

// What OpenCV's reduced decode (IMREAD_REDUCED_*_f) gives: a JPEG's decoder keeps each
// f x f block's mean (rounded up to whole blocks at the edges); any other file is
// decoded whole and shrunk by bilinear sampling, which at a whole factor is the mean of
// the 2 x 2 pixels at the middle of each f x f block.
function reduce(image, factor, jpeg) {
  if (factor === 1) return image;
  const { width, height, channels: c, data } = image;
  const w = jpeg ? Math.ceil(width / factor) : Math.floor(width / factor);
  const h = jpeg ? Math.ceil(height / factor) : Math.floor(height / factor);
  const out = new Uint8Array(w * h * c);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let k = 0; k < c; k++) {
        let sum = 0;
        let n = 0;
        const y0 = jpeg ? y * factor : y * factor + factor / 2 - 1;
        const x0 = jpeg ? x * factor : x * factor + factor / 2 - 1;
        const span = jpeg ? factor : 2;
        for (let yy = y0; yy < Math.min(y0 + span, height); yy++) {
          for (let xx = x0; xx < Math.min(x0 + span, width); xx++) {
            sum += data[(yy * width + xx) * c + k];
            n++;
          }
        }
        out[(y * w + x) * c + k] = Math.round(sum / n);
      }
    }
  }
  return { width: w, height: h, channels: c, data: out };
}

// The weights with which each source pixel covers each target pixel when `from` pixels
// shrink to `to` (OpenCV's INTER_AREA), or the two neighbours of a bilinear sample when
// they grow (INTER_LINEAR, pixel centres aligned).
function weights(from, to) {
  const rows = [];
  const scale = from / to;
  for (let t = 0; t < to; t++) {
    const row = [];
    if (scale >= 1) {
      const start = t * scale;
      const end = start + scale;
      for (let s = Math.floor(start); s < Math.min(Math.ceil(end), from); s++) {
        const cover = Math.min(end, s + 1) - Math.max(start, s);
        if (cover > 1e-9) row.push([s, cover / scale]);
      }
    } else {
      const at = Math.max((t + 0.5) * scale - 0.5, 0);
      const s = Math.min(Math.floor(at), from - 1);
      const f = Math.min(at - s, 1);
      row.push([s, 1 - f]);
      if (s + 1 < from) row.push([s + 1, f]);
    }
    rows.push(row);
  }
  return rows;
}

// cv2.resize to (width, height): INTER_AREA when shrinking, else INTER_LINEAR.
function resize(image, width, height) {
  const { width: w0, channels: c, data } = image;
  const wx = weights(image.width, width);
  const wy = weights(image.height, height);
  const out = new Uint8Array(width * height * c);
  const row = new Float64Array(width * c);
  for (let y = 0; y < height; y++) {
    row.fill(0);
    for (const [sy, fy] of wy[y]) {
      for (let x = 0; x < width; x++) {
        for (const [sx, fx] of wx[x]) {
          const at = (sy * w0 + sx) * c;
          for (let k = 0; k < c; k++) row[x * c + k] += fy * fx * data[at + k];
        }
      }
    }
    for (let i = 0; i < row.length; i++) out[y * width * c + i] = Math.round(row[i]);
  }
  return { width, height, channels: c, data: out };
}

// cv2.GaussianBlur(grey, (0, 0), sigma): a 7-tap kernel at sigma 1, edges reflected.
function blur(image, sigma) {
  const radius = (Math.round(sigma * 6 + 1) | 1) >> 1;
  const kernel = [];
  for (let i = -radius; i <= radius; i++) kernel.push(Math.exp(-(i * i) / (2 * sigma * sigma)));
  const total = kernel.reduce((a, b) => a + b, 0);
  const k = kernel.map((v) => v / total);
  const { width: w, height: h, data } = image;
  const reflect = (i, n) => (i < 0 ? -i : i >= n ? 2 * n - 2 - i : i);
  const across = new Float64Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let v = 0;
      for (let i = -radius; i <= radius; i++) v += k[i + radius] * data[y * w + reflect(x + i, w)];
      across[y * w + x] = v;
    }
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let v = 0;
      for (let i = -radius; i <= radius; i++) v += k[i + radius] * across[reflect(y + i, h) * w + x];
      out[y * w + x] = Math.round(v); // the blurred image is bytes, as in OpenCV
    }
  return { width: w, height: h, data: out };
}

function median(values) {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// ------------------------------------------------------------------ the improved crop

// _sky: the level and noise of a frame one sixteenth of the image wide.
function sky(image) {
  const { width: w, height: h, data } = image;
  const band = Math.max(Math.floor(h / 16), 2);
  const border = [];
  for (const rows of [[0, band], [h - band, h]])
    for (let y = rows[0]; y < rows[1]; y++) for (let x = 0; x < w; x++) border.push(data[y * w + x]);
  for (const cols of [[0, band], [w - band, w]])
    for (let y = 0; y < h; y++) for (let x = cols[0]; x < cols[1]; x++) border.push(data[y * w + x]);
  const level = median(border);
  return [level, 1.4826 * median(border.map((v) => Math.abs(v - level)))];
}

// The 8-connected objects of a mask, labelled 1, 2, ... in the order a raster scan meets them.
function objects(mask, w, h) {
  const labels = new Int32Array(w * h);
  let count = 0;
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || labels[start]) continue;
    labels[start] = ++count;
    const stack = [start];
    while (stack.length) {
      const i = stack.pop();
      const x = i % w;
      const y = (i - x) / w;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          const j = yy * w + xx;
          if (xx >= 0 && yy >= 0 && xx < w && yy < h && mask[j] && !labels[j]) {
            labels[j] = count;
            stack.push(j);
          }
        }
    }
  }
  return [count, labels];
}

// improved_box: a square around the object nearest the centre, centred on its peak of light.
function improvedBox(small, settings) {
  const g = blur(small, settings.blur_sigma);
  const { width: w, height: h } = g;
  const [level, noise] = sky(g);
  const threshold = level + Math.max(settings.nsigma * noise, settings.min_level);
  const mask = g.data.map((v) => (v > threshold ? 1 : 0));
  const [count, labels] = objects(mask, w, h);
  if (count === 0) return { x: 0, y: 0, side: Math.max(w, h), whole: true };
  const cx = w / 2;
  const cy = h / 2;
  let label = labels[Math.floor(cy) * w + Math.floor(cx)];
  if (label === 0) {
    const sums = Array.from({ length: count + 1 }, () => [0, 0, 0]);
    labels.forEach((l, i) => {
      if (l) sums[l][0] += i % w, sums[l][1] += Math.floor(i / w), sums[l][2]++;
    });
    let best = Infinity;
    for (let l = 1; l <= count; l++) {
      const d = Math.hypot(sums[l][0] / sums[l][2] - cx, sums[l][1] / sums[l][2] - cy);
      if (d < best) [best, label] = [d, l];
    }
  }
  const xs = [];
  const ys = [];
  labels.forEach((l, i) => l === label && (xs.push(i % w), ys.push(Math.floor(i / w))));
  // _peak: the brightest pixel, refined by the light-weighted centre of its 5 x 5 neighbours
  const light = (i) => g.data[ys[i] * w + xs[i]] - level;
  let brightest = 0;
  for (let i = 1; i < xs.length; i++) if (light(i) > light(brightest)) brightest = i;
  let sw = 0, sx = 0, sy = 0;
  for (let i = 0; i < xs.length; i++) {
    if (Math.abs(xs[i] - xs[brightest]) <= 2 && Math.abs(ys[i] - ys[brightest]) <= 2) {
      const weight = Math.max(light(i), 1e-6);
      sw += weight, sx += weight * xs[i], sy += weight * ys[i];
    }
  }
  const gx = sx / sw;
  const gy = sy / sw;
  let radius = 0;
  for (let i = 0; i < xs.length; i++) radius = Math.max(radius, Math.abs(xs[i] - gx), Math.abs(ys[i] - gy));
  radius += 1;
  const half = Math.min(Math.max(radius * (1 + settings.padding), 8), Math.max(w, h) / 2);
  return { x: gx + 0.5 - half, y: gy + 0.5 - half, side: 2 * half, whole: false };
}

// Python's round(): halves go to the even neighbour.
function roundHalfEven(v) {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

// crop: cut the box out (black outside the frame) and resize it to size x size.
function cut(image, box, size) {
  const { width: w, height: h, channels: c, data } = image;
  const x0 = roundHalfEven(box.x);
  const y0 = roundHalfEven(box.y);
  const side = Math.max(roundHalfEven(box.side), 1);
  const square = new Uint8Array(side * side * c);
  for (let y = 0; y < side; y++) {
    const sy = y0 + y;
    if (sy < 0 || sy >= h) continue;
    for (let x = 0; x < side; x++) {
      const sx = x0 + x;
      if (sx < 0 || sx >= w) continue;
      for (let k = 0; k < c; k++) square[(y * side + x) * c + k] = data[(sy * w + sx) * c + k];
    }
  }
  return resize({ width: side, height: side, channels: c, data: square }, size, size);
}

// crop_file: the crop a network of these settings sees, and the box in the file's pixels.
// A file the page declines, with the sentence galaxylib predict says.
class Refusal extends Error {}

function cropFile(image, kind, crop, name) {
  const settings = page.locate;
  const jpeg = kind === "jpeg";
  const whole = grey(image, kind === "png");
  // _small_copy: grey, reduced by 8 (or less for a small image), longer side locate_side
  const eighth = reduce(whole, 8, jpeg);
  if (eighth.width === 0 || eighth.height === 0) {
    throw new Refusal(
      `${name} is only ${image.width}x${image.height} pixels, too small to find a galaxy in; ` +
        `use an image of at least ${settings.min_side} pixels a side.`,
    );
  }
  const longer8 = Math.max(eighth.width, eighth.height);
  let reduction = 8;
  if (longer8 < settings.locate_side) {
    reduction = [4, 2].find((r) => Math.floor((8 * longer8) / r) >= settings.locate_side) || 1;
  }
  let small = reduction === 8 ? eighth : reduce(whole, reduction, jpeg);
  let spans = reduction;
  const longer = Math.max(small.width, small.height);
  if (longer !== settings.locate_side) {
    const scale = settings.locate_side / longer;
    const width = Math.max(1, roundHalfEven(small.width * scale));
    const height = Math.max(1, roundHalfEven(small.height * scale));
    spans = (reduction * small.width) / width;
    small = resize(small, width, height);
  }
  const box = improvedBox(small, settings);
  // _reduction: decode again at the largest reduction that keeps `size` pixels across
  const factor = [8, 4, 2].find((f) => (box.side * spans) / f >= crop.size) || 1;
  const decoded = reduce(crop.color ? image : whole, factor, jpeg);
  const scale = decoded.width / small.width;
  const scaled = { x: box.x * scale, y: box.y * scale, side: box.side * scale };
  const inFile = { x: scaled.x * factor, y: scaled.y * factor, side: scaled.side * factor };
  return { crop: cut(decoded, scaled, crop.size), box: inFile, whole: box.whole };
}

// ------------------------------------------------------------------ the network

// models.dihedral_views: the eight quarter turns and mirror images of a square crop.
function views(crop) {
  const { width: n, channels: c, data } = crop;
  const all = [];
  for (const mirror of [false, true])
    for (let turns = 0; turns < 4; turns++) {
      const out = new Uint8Array(data.length);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let y = i;
          let x = mirror ? n - 1 - j : j;
          for (let t = 0; t < turns; t++) [y, x] = [x, n - 1 - y];
          for (let k = 0; k < c; k++) out[(i * n + j) * c + k] = data[(y * n + x) * c + k];
        }
      all.push(out);
    }
  return all;
}

const sessions = {};
async function session(name) {
  sessions[name] ??= ort.InferenceSession.create(new URL(page.networks[name].file, HERE).href, {
    executionProviders: ["wasm"],
  });
  return sessions[name];
}

// The 37 answers: the mean over the eight views, as galaxylib predict gives them.
async function predict(name, crop) {
  const net = await session(name);
  const all = views(crop);
  const batch = new Uint8Array(all.length * crop.data.length);
  all.forEach((view, i) => batch.set(view, i * crop.data.length));
  const size = crop.width;
  const input = new ort.Tensor("uint8", batch, [all.length, size, size, crop.channels]);
  const output = (await net.run({ [net.inputNames[0]]: input }))[net.outputNames[0]].data;
  const answers = new Array(37).fill(0);
  for (let v = 0; v < all.length; v++) for (let a = 0; a < 37; a++) answers[a] += output[v * 37 + a] / all.length;
  return answers;
}

// ------------------------------------------------------------------ showing the answers

const COLUMNS = page.tree.flatMap((q) => q.answers.map((a) => a.column));
const depth = {};
for (const q of page.tree) {
  const parent = q.parent && page.tree.find((p) => p.answers.some((a) => a.column === q.parent));
  depth[q.number] = parent ? depth[parent.number] + 1 : 0;
}

// One line: the most-voted answer of each question the tree reaches, from Q1 and from Q6.
function reading(answers) {
  const value = (column) => answers[COLUMNS.indexOf(column)];
  const parts = [];
  const follow = (question) => {
    const top = question.answers.reduce((a, b) => (value(b.column) > value(a.column) ? b : a));
    parts.push(`${top.says.toLowerCase()} ${value(top.column).toFixed(2)}`);
    for (const next of page.tree.filter((q) => q.parent === top.column)) follow(next);
  };
  for (const root of page.tree.filter((q) => q.parent === null)) follow(root);
  return parts.join(" · ");
}

function drawAnswers(svg, answers) {
  const value = (column) => answers[COLUMNS.indexOf(column)];
  const NS = "http://www.w3.org/2000/svg";
  const el = (tag, attrs, text) => {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    svg.appendChild(node);
    return node;
  };
  svg.replaceChildren();
  const bar = 240;
  let y = 4;
  for (const q of page.tree) {
    const indent = 14 * depth[q.number];
    el("text", { x: indent, y: y + 12, class: "question" }, `Q${q.number}. ${q.text}`);
    y += 18;
    for (const a of q.answers) {
      const v = value(a.column);
      el("text", { x: indent + 8, y: y + 11, class: "answer" }, a.says);
      el("rect", { x: 190, y: y + 2, width: bar, height: 11, class: "track" });
      el("rect", { x: 190, y: y + 2, width: Math.max(v, 0) * bar, height: 11, class: `bar q${q.number % 2}` });
      el("text", { x: 196 + bar, y: y + 11, class: "value" }, v.toFixed(2));
      y += 15;
    }
    y += 4;
  }
  svg.setAttribute("viewBox", `0 0 470 ${y}`);
  svg.setAttribute("height", y);
}

// The image, shrunk to the canvas, with the box the crop cut from it (where the box
// leaves the frame, the crop is black).
function showFrame(canvas, bitmap, box) {
  const scale = canvas.width / Math.max(bitmap.width, bitmap.height);
  const context = canvas.getContext("2d");
  context.fillStyle = "#000";
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(bitmap, 0, 0, bitmap.width * scale, bitmap.height * scale);
  context.strokeStyle = "#ff3b3b";
  context.lineWidth = 2;
  context.strokeRect(box.x * scale, box.y * scale, box.side * scale, box.side * scale);
}

function showCrop(canvas, crop) {
  const { width: n, channels: c, data } = crop;
  const rgba = new Uint8ClampedArray(n * n * 4);
  for (let i = 0; i < n * n; i++) {
    for (let k = 0; k < 3; k++) rgba[i * 4 + k] = data[i * c + (c === 3 ? k : 0)];
    rgba[i * 4 + 3] = 255;
  }
  canvas.width = n;
  canvas.height = n;
  canvas.getContext("2d").putImageData(new ImageData(rgba, n, n), 0, 0);
}

// ------------------------------------------------------------------ the page

const root = document.getElementById("try-network");
const $ = (selector) => root.querySelector(selector);
let current = null; // the image shown: {blob, name}

function describeNetwork(name) {
  const net = page.networks[name];
  const s = net.scores;
  const auc = Object.entries(s.auc)
    .map(([label, v]) => `${label.replace("_", "-")} ${v.toFixed(2)}`)
    .join(", ");
  const crop = `${net.crop.size}×${net.crop.size} pixels in ${net.crop.color ? "colour" : "grey"}`;
  $(".network-note").textContent =
    `Running ${net.called} (it sees crops of ${crop}), ${net.trained}. ` +
    `On the synthetic sky's test galaxies it scores RMSE ${s.sky_rmse.toFixed(4)}, closing ` +
    `${Math.round(100 * s.sky_gap)} % of the gap from the mean to the noise floor; on ` +
    `chapter 8's ${s.photographs} photographs its AUCs are ${auc}. ` +
    `ONNX Runtime reproduced Keras's answers to ${net.max_difference.toExponential(1)} when the site was built.`;
}

async function run() {
  if (!current) return;
  const name = $("input[name=network]:checked").value;
  const status = $(".status");
  status.textContent = "Cropping and classifying…";
  try {
    const image = await decode(current.blob);
    const kind = await fileKind(current.blob);
    const done = cropFile(image, kind, page.networks[name].crop, current.name);
    showFrame($("canvas.frame"), image.bitmap, done.box);
    showCrop($("canvas.crop"), done.crop);
    const answers = await predict(name, done.crop);
    drawAnswers($("svg.answers"), answers);
    $(".reading").textContent = reading(answers);
    const note = done.whole ? " Nothing stood out from the sky: the whole frame was kept." : "";
    status.textContent = `${current.name}: ${image.width}×${image.height} pixels.${note}`;
    root.dataset.result = JSON.stringify({
      file: current.name,
      network: name,
      answers,
      box: done.box,
      crop: Array.from(done.crop.data),
    });
  } catch (error) {
    status.textContent =
      error instanceof Refusal
        ? error.message
        : `${current.name} could not be read as an image (${error.message}); choose a JPEG or PNG file.`;
    root.dataset.result = JSON.stringify({ file: current.name, error: String(error) });
  }
}

async function choose(blob, name) {
  current = { blob, name };
  delete root.dataset.result;
  await run();
}

for (const name of Object.keys(page.networks)) {
  const label = document.createElement("label");
  label.innerHTML = `<input type="radio" name="network" value="${name}"> ${page.networks[name].called}`;
  $(".networks").appendChild(label);
}
$(`input[value=${Object.keys(page.networks).at(-1)}]`).checked = true;
describeNetwork($("input[name=network]:checked").value);
root.addEventListener("change", (event) => {
  if (event.target.name === "network") {
    describeNetwork(event.target.value);
    run();
  }
});

for (const example of page.examples) {
  const button = document.createElement("button");
  const url = new URL(`examples/${example.file}`, HERE);
  button.type = "button";
  button.title = example.says;
  button.dataset.file = example.file;
  button.innerHTML = `<img src="${url.href}" alt="${example.title}"><span>${example.title}</span>`;
  button.addEventListener("click", async () => choose(await (await fetch(url)).blob(), example.file));
  $(".examples").appendChild(button);
}

const picker = $("input[type=file]");
picker.addEventListener("change", () => picker.files[0] && choose(picker.files[0], picker.files[0].name));
const drop = $(".drop");
drop.addEventListener("dragover", (event) => {
  event.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  drop.classList.remove("over");
  const file = event.dataTransfer.files[0];
  if (file) choose(file, file.name);
});
root.dataset.ready = "true";
