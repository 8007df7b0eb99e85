// The explorer's page logic: the evaluation API, canvas plots and the panels.
//
// Every number this file plots comes from FATE_EVALUATORS (generated from the derivation records
// by paper_figures/explorer/jsgen.py) or from FATE_DATA (the stored simulations, the ReLU
// teachers' out-of-span norms and the derivation steps, written by paper_figures/explorer/
// page.py). No formula of the paper is typed here: this file only validates arguments, samples
// grids, draws and reads controls.
"use strict";

(function () {
  const EVALUATORS = FATE_EVALUATORS;
  const OMITTED = FATE_OMITTED;
  const DATA = FATE_DATA;
  const PI = Math.PI;

  // ---- evaluation: window.fate.evaluate(name, args) ---------------------------------------------
  class FateInputError extends Error {
    constructor(message) {
      super(message);
      this.name = "InvalidArgumentError";
    }
  }

  function shown(value) {
    if (value === null) return "None";
    if (value === undefined) return "undefined";
    if (typeof value === "boolean") return `the boolean ${value} (booleans are not numbers here)`;
    if (typeof value === "string") return `the text ${JSON.stringify(value)} (pass a number, not a string)`;
    if (typeof value === "number") return String(value);
    return `a ${typeof value}`;
  }

  function inside(domain, x) {
    if (!Number.isFinite(x)) return false;
    if (domain.lowerClosed ? x < domain.lower : x <= domain.lower) return false;
    if (domain.upperClosed ? x > domain.upper : x >= domain.upper) return false;
    return !domain.integer || Number.isInteger(x);
  }

  function validate(parameter, value) {
    const allowed = `${parameter.name} must be ${parameter.domain.describe}`;
    if (typeof value !== "number") throw new FateInputError(`${allowed}; got ${shown(value)}`);
    if (!inside(parameter.domain, value)) throw new FateInputError(`${allowed}; got ${shown(value)}`);
    return value;
  }

  function bind(name, evaluator, args) {
    const names = evaluator.parameters.map((p) => p.name);
    let values;
    if (Array.isArray(args)) {
      if (args.length !== names.length) {
        throw new FateInputError(
          `${name}() takes ${names.length} arguments (${names.join(", ")}); got ${args.length}`);
      }
      values = args;
    } else if (args !== null && typeof args === "object") {
      for (const key of Object.keys(args)) {
        if (!names.includes(key)) {
          throw new FateInputError(
            `${name}() has no argument '${key}'; its arguments are ${names.join(", ")}`);
        }
      }
      const missing = names.filter((n) => !(n in args));
      if (missing.length) throw new FateInputError(`${name}() is missing ${missing.join(", ")}`);
      values = names.map((n) => args[n]);
    } else {
      throw new FateInputError(
        `${name}() takes its arguments as an object {${names.join(", ")}} or an array`);
    }
    return evaluator.parameters.map((p, i) => validate(p, values[i]));
  }

  function evaluate(name, args) {
    const evaluator = EVALUATORS[name];
    if (evaluator === undefined) {
      const why = OMITTED[name] ? ` (left out of this page: ${OMITTED[name]})` : "";
      throw new FateInputError(`no evaluator is named '${name}' on this page${why}`);
    }
    const values = bind(name, evaluator, args);
    const out = evaluator.components.map((f) => Number(f(...values)));
    return evaluator.tuple ? out : out[0];
  }

  // f(...) of one evaluator without validation, for grids the page builds itself (every point
  // of a grid lies in the domain by construction; the first point is validated by evaluate).
  function fast(name) {
    const evaluator = EVALUATORS[name];
    return (...values) => {
      const out = evaluator.components.map((f) => Number(f(...values)));
      return evaluator.tuple ? out : out[0];
    };
  }

  // ---- numbers and grids --------------------------------------------------------------------------
  const midpoints = (lo, hi, count) =>
    Array.from({ length: count }, (_, i) => lo + ((hi - lo) / count) * (i + 0.5));
  const linspace = (lo, hi, count) =>
    Array.from({ length: count }, (_, i) => (count === 1 ? lo : lo + ((hi - lo) * i) / (count - 1)));

  function fmt(x, digits = 4) {
    if (Number.isNaN(x)) return "NaN";
    if (x === Infinity) return "∞";
    if (x === -Infinity) return "−∞";
    if (x !== 0 && (Math.abs(x) >= 1e5 || Math.abs(x) < 1e-3)) return x.toExponential(digits - 1);
    return x.toPrecision(digits).replace(/\.?0+$/, "").replace(/\.$/, "");
  }

  function angle(x) {
    const k = (x / PI) * 40;
    if (Math.abs(k - Math.round(k)) < 1e-9) {
      const num = Math.round(k);
      if (num === 0) return "0";
      let a = num, b = 40;
      const g = (p, q) => (q ? g(q, p % q) : p);
      const c = g(a, b);
      a /= c;
      b /= c;
      return `${a === 1 ? "" : a}π${b === 1 ? "" : "/" + b}`;
    }
    return `${fmt(x / PI, 4)}π`;
  }

  // ---- colours ------------------------------------------------------------------------------------
  // The package's transferability colour map (paper_figures.plots.TRANSFER_CMAP): red, near-white,
  // blue, linear in RGB, from −1 to 1.
  const STOPS = [[0xc6, 0x42, 0x3c], [0xfa, 0xfa, 0xfa], [0x44, 0x54, 0xc2]];
  function colour(value, vmin, vmax) {
    if (!Number.isFinite(value)) {
      if (Number.isNaN(value)) return [200, 200, 200];
      return value > 0 ? STOPS[2] : STOPS[0];
    }
    let t = (value - vmin) / (vmax - vmin);
    t = Math.min(1, Math.max(0, t)) * 2;
    const i = Math.min(1, Math.floor(t));
    const f = t - i;
    return STOPS[i].map((c, k) => Math.round(c + (STOPS[i + 1][k] - c) * f));
  }
  const PALETTE = ["#1f5fa8", "#c6423c", "#2e8b57", "#8e44ad", "#d68910", "#555555"];

  // ---- canvas plots -------------------------------------------------------------------------------
  const MARGIN = { left: 58, right: 16, top: 26, bottom: 44 };
  const MAP_MARGIN = { ...MARGIN, right: 46 };

  function surface(canvas, margin = MARGIN) {
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth || Number(canvas.getAttribute("width"));
    const height = canvas.clientHeight || Number(canvas.getAttribute("height"));
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.font = "12px system-ui, sans-serif";
    const box = {
      x0: margin.left,
      y0: margin.top,
      x1: width - margin.right,
      y1: height - margin.bottom,
    };
    return { ctx, width, height, box };
  }

  function scales(box, xr, yr) {
    const sx = (x) => box.x0 + ((x - xr[0]) / (xr[1] - xr[0])) * (box.x1 - box.x0);
    const sy = (y) => box.y1 - ((y - yr[0]) / (yr[1] - yr[0])) * (box.y1 - box.y0);
    return { sx, sy };
  }

  function niceTicks(lo, hi, count = 5) {
    const span = hi - lo;
    const step0 = span / count;
    const mag = Math.pow(10, Math.floor(Math.log10(step0)));
    const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= count) || 10 * mag;
    const ticks = [];
    for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-12 * span; t += step) {
      ticks.push([Math.abs(t) < 1e-12 * span ? 0 : t, null]);
    }
    return ticks.map(([t]) => [t, fmt(t, 3)]);
  }

  const PI_TICKS_HALF = [[0, "0"], [PI / 8, "π/8"], [PI / 4, "π/4"], [(3 * PI) / 8, "3π/8"], [PI / 2, "π/2"]];
  const PI_TICKS = [[0, "0"], [PI / 4, "π/4"], [PI / 2, "π/2"], [(3 * PI) / 4, "3π/4"], [PI, "π"]];

  function axes(s, spec) {
    const { ctx, box } = s;
    const { sx, sy } = scales(box, spec.xr, spec.yr);
    ctx.save();
    ctx.strokeStyle = "#333";
    ctx.fillStyle = "#222";
    ctx.lineWidth = 1;
    ctx.strokeRect(box.x0, box.y0, box.x1 - box.x0, box.y1 - box.y0);
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const [t, label] of spec.xticks || niceTicks(...spec.xr)) {
      const x = sx(t);
      ctx.beginPath();
      ctx.moveTo(x, box.y1);
      ctx.lineTo(x, box.y1 + 4);
      ctx.stroke();
      ctx.fillText(label, x, box.y1 + 6);
    }
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const [t, label] of spec.yticks || niceTicks(...spec.yr)) {
      const y = sy(t);
      ctx.beginPath();
      ctx.moveTo(box.x0 - 4, y);
      ctx.lineTo(box.x0, y);
      ctx.stroke();
      ctx.fillText(label, box.x0 - 6, y);
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    ctx.fillText(spec.xlabel || "", (box.x0 + box.x1) / 2, s.height - 4);
    ctx.font = "bold 12px system-ui, sans-serif";
    ctx.fillText(spec.title || "", (box.x0 + box.x1) / 2, box.y0 - 8);
    ctx.font = "12px system-ui, sans-serif";
    ctx.translate(14, (box.y0 + box.y1) / 2);
    ctx.rotate(-PI / 2);
    ctx.textBaseline = "middle";
    ctx.fillText(spec.ylabel || "", 0, 0);
    ctx.restore();
  }

  function clip(s) {
    const { ctx, box } = s;
    ctx.save();
    ctx.beginPath();
    ctx.rect(box.x0, box.y0, box.x1 - box.x0, box.y1 - box.y0);
    ctx.clip();
  }

  function polyline(ctx, sx, sy, xs, ys, style) {
    ctx.save();
    ctx.strokeStyle = style.color || "#000";
    ctx.lineWidth = style.width || 1.6;
    ctx.setLineDash(style.dash || []);
    ctx.beginPath();
    let pen = false;
    for (let i = 0; i < xs.length; i++) {
      const ok = Number.isFinite(xs[i]) && Number.isFinite(ys[i]);
      if (!ok) {
        pen = false;
        continue;
      }
      const X = sx(xs[i]);
      const Y = Math.max(-1e4, Math.min(1e4, sy(ys[i])));
      if (pen) ctx.lineTo(X, Y);
      else ctx.moveTo(X, Y);
      pen = true;
    }
    ctx.stroke();
    ctx.restore();
  }

  function legend(s, entries) {
    if (!entries.length) return;
    const { ctx, box } = s;
    ctx.save();
    ctx.font = "11px system-ui, sans-serif";
    const width = Math.max(...entries.map((e) => ctx.measureText(e.label).width)) + 34;
    const x = box.x1 - width - 6;
    let y = box.y0 + 6;
    ctx.fillStyle = "rgba(255,255,255,0.85)";
    ctx.fillRect(x, y, width, entries.length * 15 + 6);
    for (const e of entries) {
      y += 15;
      ctx.strokeStyle = e.color;
      ctx.fillStyle = e.color;
      ctx.setLineDash(e.dash || []);
      ctx.lineWidth = 1.6;
      if (e.marker) {
        ctx.beginPath();
        if (e.shape === "diamond") {
          ctx.moveTo(x + 14, y - 8.5);
          ctx.lineTo(x + 18.5, y - 4);
          ctx.lineTo(x + 14, y + 0.5);
          ctx.lineTo(x + 9.5, y - 4);
          ctx.closePath();
        } else {
          ctx.arc(x + 14, y - 4, 3.2, 0, 2 * PI);
        }
        e.hollow ? ctx.stroke() : ctx.fill();
      } else {
        ctx.beginPath();
        ctx.moveTo(x + 5, y - 4);
        ctx.lineTo(x + 25, y - 4);
        ctx.stroke();
      }
      ctx.setLineDash([]);
      ctx.fillStyle = "#222";
      ctx.textBaseline = "middle";
      ctx.fillText(e.label, x + 30, y - 4);
    }
    ctx.restore();
  }

  // Segments of the level set {z = level} of a grid z[j][i] over xs × ys (marching squares).
  function contour(xs, ys, z, level) {
    const segments = [];
    const interp = (a, b, za, zb) => a + ((level - za) / (zb - za)) * (b - a);
    for (let j = 0; j + 1 < ys.length; j++) {
      for (let i = 0; i + 1 < xs.length; i++) {
        const c = [z[j][i], z[j][i + 1], z[j + 1][i + 1], z[j + 1][i]];
        if (!c.every(Number.isFinite)) continue;
        const p = [[xs[i], ys[j]], [xs[i + 1], ys[j]], [xs[i + 1], ys[j + 1]], [xs[i], ys[j + 1]]];
        const crossings = [];
        for (let k = 0; k < 4; k++) {
          const a = c[k] - level, b = c[(k + 1) % 4] - level;
          if ((a < 0) !== (b < 0)) {
            const [pa, pb] = [p[k], p[(k + 1) % 4]];
            crossings.push([
              interp(pa[0], pb[0], c[k], c[(k + 1) % 4]),
              interp(pa[1], pb[1], c[k], c[(k + 1) % 4]),
            ]);
          }
        }
        if (crossings.length === 2) segments.push(crossings);
        else if (crossings.length === 4) segments.push([crossings[0], crossings[1]], [crossings[2], crossings[3]]);
      }
    }
    return segments;
  }

  // A map z[j][i] over xs (horizontal) × ys (vertical), red-white-blue in [−1, 1], its zero
  // contour, and curves/points/marks on top.
  function heatmap(canvas, spec) {
    const s = surface(canvas, MAP_MARGIN);
    const { ctx, box } = s;
    const xr = spec.xr, yr = spec.yr;
    const { sx, sy } = scales(box, xr, yr);
    const nx = spec.xs.length, ny = spec.ys.length;
    const image = document.createElement("canvas");
    image.width = nx;
    image.height = ny;
    const ictx = image.getContext("2d");
    const pixels = ictx.createImageData(nx, ny);
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const [r, g, b] = colour(spec.z[j][i], -1, 1);
        const at = ((ny - 1 - j) * nx + i) * 4;
        pixels.data[at] = r;
        pixels.data[at + 1] = g;
        pixels.data[at + 2] = b;
        pixels.data[at + 3] = 255;
      }
    }
    ictx.putImageData(pixels, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(image, box.x0, box.y0, box.x1 - box.x0, box.y1 - box.y0);
    clip(s);
    const segments = contour(spec.xs, spec.ys, spec.z, 0);
    ctx.strokeStyle = "#000";
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    for (const [a, b] of segments) {
      ctx.moveTo(sx(a[0]), sy(a[1]));
      ctx.lineTo(sx(b[0]), sy(b[1]));
    }
    ctx.stroke();
    for (const curve of spec.curves || []) polyline(ctx, sx, sy, curve.x, curve.y, curve);
    for (const mark of spec.marks || []) {
      ctx.save();
      ctx.strokeStyle = "#000";
      ctx.fillStyle = "#ffeb3b";
      ctx.beginPath();
      ctx.arc(sx(mark.x), sy(mark.y), 4.5, 0, 2 * PI);
      ctx.fill();
      ctx.stroke();
      ctx.restore();
    }
    ctx.restore();
    axes(s, spec);
    legend(s, [{ label: "T = 0", color: "#000" }, ...(spec.curves || []).filter((c) => c.label)]);
    colourbar(s);
    return segments;
  }

  function colourbar(s) {
    const { ctx, box } = s;
    const x = box.x1 + 6, w = 10;
    for (let k = 0; k < 100; k++) {
      const [r, g, b] = colour(1 - (2 * k) / 99, -1, 1);
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.fillRect(x, box.y0 + ((box.y1 - box.y0) * k) / 100, w, (box.y1 - box.y0) / 100 + 1);
    }
    ctx.save();
    ctx.fillStyle = "#222";
    ctx.font = "11px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    for (const [value, label] of [[1, "≥ 1"], [0, "0"], [-1, "≤ −1"]]) {
      ctx.fillText(label, x + w + 3, box.y0 + ((1 - value) / 2) * (box.y1 - box.y0));
    }
    ctx.restore();
  }

  // Lines and points with error bars: series = [{kind: "line"|"points", x, y, err, colour, ...}].
  function lineplot(canvas, spec) {
    const s = surface(canvas);
    const { ctx, box } = s;
    const { sx, sy } = scales(box, spec.xr, spec.yr);
    clip(s);
    if (spec.yr[0] < 0 && spec.yr[1] > 0) {
      polyline(ctx, sx, sy, spec.xr, [0, 0], { color: "#999", width: 1 });
    }
    for (const series of spec.series) {
      if (series.kind === "line") {
        polyline(ctx, sx, sy, series.x, series.y, series);
        continue;
      }
      ctx.save();
      ctx.strokeStyle = series.color;
      ctx.fillStyle = series.color;
      ctx.lineWidth = 1.3;
      for (let i = 0; i < series.x.length; i++) {
        const x = series.x[i], y = series.y[i];
        if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
        const X = sx(x), Y = sy(y);
        if (series.err && Number.isFinite(series.err[i])) {
          ctx.beginPath();
          ctx.moveTo(X, sy(y - series.err[i]));
          ctx.lineTo(X, sy(y + series.err[i]));
          ctx.stroke();
        }
        ctx.beginPath();
        if (series.shape === "diamond") {
          ctx.moveTo(X, Y - 4.5);
          ctx.lineTo(X + 4.5, Y);
          ctx.lineTo(X, Y + 4.5);
          ctx.lineTo(X - 4.5, Y);
          ctx.closePath();
        } else {
          ctx.arc(X, Y, series.radius || 3.2, 0, 2 * PI);
        }
        const hollow = series.hollow === true || (Array.isArray(series.hollow) && series.hollow[i]);
        hollow ? ctx.stroke() : ctx.fill();
      }
      ctx.restore();
    }
    ctx.restore();
    axes(s, spec);
    legend(s, spec.series.filter((e) => e.label).map((e) => ({
      label: e.label, color: e.color, dash: e.dash, marker: e.kind !== "line", hollow: e.hollow === true,
      shape: e.shape,
    })));
  }

  // ---- controls -----------------------------------------------------------------------------------
  const $ = (id) => document.getElementById(id);
  const number = (id) => Number($(id).value);
  function show(id, text) {
    const out = $(id + "-value");
    if (out) out.textContent = text;
  }

  const PLOTTED = {};
  const PANELS = {};

  function panel(id, controls, draw) {
    PANELS[id] = draw;
    for (const control of controls) {
      const element = $(control);
      element.addEventListener("input", () => redraw(id));
      element.addEventListener("change", () => redraw(id));
    }
  }

  function redraw(id) {
    try {
      PANELS[id]();
    } catch (error) {
      const where = $(id + "-readout");
      if (where) where.textContent = `error: ${error.message}`;
      throw error;
    }
  }

  function grid(name, xs, ys, f) {
    return ys.map((y) => xs.map((x) => f(x, y)));
  }

  const THETAS = midpoints(0, PI / 2, 140);
  const GAMMAS = midpoints(0, 2, 140);
  const MAP_AXES = {
    xr: [0, PI / 2], yr: [0, 2], xticks: PI_TICKS_HALF, xlabel: "θ (angle between teachers)",
    ylabel: "γ = n/d",
  };

  // ---- 1. linear transfer phase map ----------------------------------------------------------------
  function drawLinearTransfer() {
    const sigma = number("lt-sigma"), theta = number("lt-theta"), gamma = number("lt-gamma");
    show("lt-sigma", fmt(sigma, 3));
    show("lt-theta", angle(theta));
    show("lt-gamma", fmt(gamma, 3));
    evaluate("lt_transferability", { theta: THETAS[0], gamma: GAMMAS[0], sigma });
    const T = fast("lt_transferability");
    const values = grid("lt", THETAS, GAMMAS, (th, ga) => T(th, ga, sigma));
    const interval = fast("lt_negative_interval");
    const bounds = THETAS.map((th) => interval(th, sigma));
    const over = fast("lt_negative_threshold_overparam");
    const thresholdThetas = THETAS.filter((th) => th > 0);
    const threshold = thresholdThetas.map((th) => over(th, sigma));
    const curves = [
      { x: THETAS, y: bounds.map((b) => b[0]), color: "#1b9e77", dash: [7, 5], width: 3, label: "γ₋(θ)" },
      { x: THETAS, y: bounds.map((b) => b[1]), color: "#d95f02", dash: [7, 5], width: 3, label: "γ₊(θ)" },
      { x: thresholdThetas, y: threshold, color: "#7570b3", dash: [2, 4], width: 3, label: "1 + σ²/sin²θ" },
    ];
    let thetaStar = NaN;
    if (sigma <= 2) {
      thetaStar = evaluate("lt_negative_threshold_angle", { sigma });
      curves.push({ x: [thetaStar, thetaStar], y: [0, 1], color: "#444", dash: [2, 3], width: 1.5, label: "θ* = arccos(1 − σ)" });
    }
    const segments = heatmap($("lt-canvas"), {
      ...MAP_AXES, xs: THETAS, ys: GAMMAS, z: values, curves, marks: [{ x: theta, y: gamma }],
      title: `T_lt(θ, γ), eq. 11, σ = ${fmt(sigma, 3)}`,
    });
    const here = evaluate("lt_transferability", { theta, gamma, sigma });
    const [lower, upper] = evaluate("lt_negative_interval", { theta, sigma });
    $("lt-readout").textContent =
      `T_lt(${angle(theta)}, ${fmt(gamma, 3)}, ${fmt(sigma, 3)}) = ${fmt(here, 6)};  ` +
      `negative below interpolation on (γ₋, γ₊) = ` +
      (Number.isNaN(lower) ? "∅ (θ ≤ θ*)" : `(${fmt(lower, 5)}, ${fmt(upper, 5)})`) +
      `;  θ* = ${fmt(thetaStar, 5)}`;
    PLOTTED.lt = {
      sigma, theta: THETAS, gamma: GAMMAS, values, interval: bounds, threshold_theta: thresholdThetas,
      threshold, theta_star: thetaStar, contour_segments: segments.length,
      point: { theta, gamma, value: here, interval: [lower, upper] },
    };
  }

  // ---- 2. scratch risk against γ ------------------------------------------------------------------
  function drawScratch() {
    const sigma = number("sc-sigma"), d = Math.round(number("sc-d")), theta = number("sc-theta");
    show("sc-sigma", fmt(sigma, 3));
    show("sc-d", String(d));
    show("sc-theta", angle(theta));
    const gammas = midpoints(0, 2, 800);
    evaluate("scratch_risk", { gamma: gammas[0], sigma });
    const R = fast("scratch_risk");
    const risk = gammas.map((g) => R(g, sigma));
    evaluate("scratch_risk_finite", { n: 1, d, sigma });
    const F = fast("scratch_risk_finite");
    const ns = Array.from({ length: 2 * d }, (_, i) => i + 1);
    const finite = ns.map((n) => F(n, d, sigma));
    const floor = evaluate("lt_risk_limit", { theta });
    const series = [
      { kind: "line", x: gammas, y: risk, color: PALETTE[0], label: "eq. 8 (d → ∞)" },
      { kind: "points", x: ns.map((n) => n / d), y: finite, color: PALETTE[1], radius: d > 200 ? 1.6 : 2.6, label: `exact at d = ${d}` },
      { kind: "line", x: [0, 2], y: [floor, floor], color: PALETTE[2], dash: [6, 4], label: "linear transfer floor sin²θ" },
    ];
    let optimum = [NaN, NaN];
    if (sigma > 0 && sigma < 1) {
      optimum = evaluate("scratch_optimum", { sigma });
      series.push({ kind: "points", x: [optimum[0]], y: [optimum[1]], color: "#000", shape: "diamond", label: "best γ < 1" });
    }
    lineplot($("sc-canvas"), {
      xr: [0, 2], yr: [-0.05, 1.5], xlabel: "γ = n/d", ylabel: "scratch risk R_sc",
      title: `scratch risk, σ = ${fmt(sigma, 3)}`, series,
    });
    $("sc-readout").textContent =
      `sin²θ = ${fmt(floor, 6)} at θ = ${angle(theta)};  best γ < 1: γ* = ${fmt(optimum[0], 5)}, ` +
      `R_sc(γ*) = ${fmt(optimum[1], 5)};  exact risk at n = d: ${fmt(F(d, d, sigma), 4)}`;
    PLOTTED.scratch = { sigma, d, theta, gamma: gammas, risk, n: ns, finite, floor, optimum };
  }

  // ---- 3. fine-tuning ------------------------------------------------------------------------------
  function drawFineTuning() {
    const sigma = number("ft-sigma"), theta = number("ft-theta"), gamma = number("ft-gamma");
    const balanced = $("ft-balanced").checked;
    show("ft-sigma", fmt(sigma, 3));
    show("ft-theta", angle(theta));
    show("ft-gamma", fmt(gamma, 3));
    const name = balanced ? "ft_transferability_balanced" : "ft_transferability";
    const args = (th, ga) => (balanced ? [th, ga, sigma] : [th, ga]);
    evaluate(name, args(THETAS[0], GAMMAS[0]));
    const T = fast(name);
    const values = grid("ft", THETAS, GAMMAS, (th, ga) => T(...args(th, ga)));
    heatmap($("ft-canvas"), {
      ...MAP_AXES, xs: THETAS, ys: GAMMAS, z: values, marks: [{ x: theta, y: gamma }],
      title: balanced ? `T_ft, balancedness-corrected, σ = ${fmt(sigma, 3)}` : "T_ft, eq. 15 as printed",
    });
    const printed = evaluate("ft_transferability", { theta, gamma });
    const corrected = evaluate("ft_transferability_balanced", { theta, gamma, sigma });
    const scale = evaluate("ft_balance_scale", { gamma, sigma });
    $("ft-readout").textContent =
      `at θ = ${angle(theta)}, γ = ${fmt(gamma, 3)}: eq. 15 = ${fmt(printed, 6)}; corrected ` +
      `(σ = ${fmt(sigma, 3)}) = ${fmt(corrected, 6)}; balance scale c = ${fmt(scale, 6)}`;
    PLOTTED.ft = {
      evaluator: name, sigma, balanced, theta: THETAS, gamma: GAMMAS, values,
      point: { theta, gamma, printed, corrected, scale },
    };
  }

  // ---- 4. ridge --------------------------------------------------------------------------------------
  function simulated(table, where) {
    const rows = [];
    for (let i = 0; i < table.n.length; i++) if (where(table, i)) rows.push(i);
    return rows;
  }

  function drawRidge() {
    const theta = number("rd-theta"), n = Number($("rd-n").value), sigma = Number($("rd-sigma").value);
    show("rd-theta", angle(theta));
    const lams = linspace(0, 0.6, 241);
    evaluate("ridge_lt_risk", { theta, lam: 0 });
    const R = fast("ridge_lt_risk");
    const law = lams.map((l) => R(theta, l));
    const exact = Number.isFinite(n) ? evaluate("lt_risk", { theta, n, sigma }) : NaN;
    const table = DATA.simulations.ridge;
    const rows = table ? simulated(table, (t, i) =>
      Math.abs(t.theta[i] - theta) < 1e-9 && t.n[i] === n && t.sigma[i] === sigma) : [];
    const points = { lam: [], mean: [], se: [] };
    for (const i of rows) {
      points.lam.push(...table.lam);
      points.mean.push(...table.mean[i]);
      points.se.push(...table.se[i]);
    }
    const top = Math.max(0.3, ...law, exact, ...points.mean.map((m, k) => m + points.se[k])) * 1.1;
    lineplot($("rd-canvas"), {
      xr: [-0.02, 0.62], yr: [0, top], xlabel: "ridge λ", ylabel: "linear-transfer risk R_lt",
      title: `ridge linear transfer, θ = ${angle(theta)}`,
      series: [
        { kind: "line", x: lams, y: law, color: PALETTE[0], label: "eq. 13 (n → ∞)" },
        { kind: "points", x: points.lam, y: points.mean, err: points.se, color: PALETTE[1], label: `d = 500, n = ${n}: mean ± SE` },
        { kind: "points", x: [0], y: [exact], color: "#000", shape: "diamond", hollow: true, label: `eq. 10 at n = ${n} (λ = 0)` },
      ],
    });
    $("rd-readout").textContent =
      `eq. 13 at λ = 0: ${fmt(law[0], 6)}, at λ = 0.5: ${fmt(R(theta, 0.5), 6)}; eq. 10 at n = ${n}, ` +
      `σ = ${sigma}: ${fmt(exact, 6)}; ${points.lam.length} simulated ridge values`;
    PLOTTED.ridge = { theta, n, sigma, lam: lams, law, exact, points };
  }

  // ---- 5. finite source ------------------------------------------------------------------------------
  function drawFiniteSource() {
    const gs = number("fs-gamma-s"), ss = number("fs-sigma-s"), sigma = number("fs-sigma");
    const balanced = $("fs-balanced").checked;
    show("fs-gamma-s", fmt(gs, 3));
    show("fs-sigma-s", fmt(ss, 3));
    show("fs-sigma", fmt(sigma, 3));
    const ftName = balanced ? "ft_transferability_finite_source_balanced" : "ft_transferability_finite_source";
    const ftArgs = (th, ga) => (balanced ? [th, ga, gs, sigma, ss] : [th, ga, gs, ss]);
    evaluate(ftName, ftArgs(THETAS[0], GAMMAS[0]));
    evaluate("lt_transferability_finite_source", [THETAS[0], GAMMAS[0], sigma, gs, ss]);
    const FT = fast(ftName), LT = fast("lt_transferability_finite_source");
    const ft = grid("fs-ft", THETAS, GAMMAS, (th, ga) => FT(...ftArgs(th, ga)));
    const lt = grid("fs-lt", THETAS, GAMMAS, (th, ga) => LT(th, ga, sigma, gs, ss));
    heatmap($("fs-ft-canvas"), {
      ...MAP_AXES, xs: THETAS, ys: GAMMAS, z: ft,
      title: balanced ? "fine-tuning, eq. 22 balancedness-corrected" : "fine-tuning, eq. 22",
    });
    heatmap($("fs-lt-canvas"), {
      ...MAP_AXES, xs: THETAS, ys: GAMMAS, z: lt, title: "linear transfer, finite source",
    });
    const floor = evaluate("lt_risk_finite_source", { theta: PI / 4, gamma_s: gs, sigma_s: ss });
    const population = evaluate("lt_risk_limit", { theta: PI / 4 });
    $("fs-readout").textContent =
      `γ_s = ${fmt(gs, 3)}, σ_s = ${fmt(ss, 3)}, σ = ${fmt(sigma, 3)}: linear-transfer risk ` +
      `(n_t → ∞) at θ = π/4 is ${fmt(floor, 6)} (population source: sin²θ = ${fmt(population, 6)})`;
    PLOTTED.fs = { gamma_s: gs, sigma_s: ss, sigma, balanced, ft_evaluator: ftName, theta: THETAS, gamma: GAMMAS, ft, lt };
  }

  // ---- 6. similarity -------------------------------------------------------------------------------
  function drawSimilarity() {
    const gamma = number("sim-gamma"), sigma = number("sim-sigma");
    show("sim-gamma", fmt(gamma, 3));
    show("sim-sigma", fmt(sigma, 3));
    const thetas = linspace(0, PI, 301);
    evaluate("kl_family", { theta: 0, sigma });
    evaluate("lt_transferability", { theta: 0, gamma, sigma });
    evaluate("ft_transferability", { theta: 0, gamma });
    const kl = thetas.map((th) => fast("kl_family")(th, sigma));
    const w1 = thetas.map((th) => fast("w1_family_upper")(th));
    const tlt = thetas.map((th) => fast("lt_transferability")(th, gamma, sigma));
    const tft = thetas.map((th) => fast("ft_transferability")(th, gamma));
    const finite = [...tlt, ...tft].filter(Number.isFinite);
    const lo = Math.min(-0.2, ...finite), hi = Math.max(0.2, ...finite);
    const pad = 0.08 * (hi - lo);
    const marked = [0, PI / 3, PI / 2, (2 * PI) / 3, PI];
    for (const [canvas, xs, label] of [["sim-kl-canvas", kl, "D_KL(p_s ‖ p_t)"], ["sim-w1-canvas", w1, "upper bound of W₁(p_s, p_t)"]]) {
      const markedX = marked.map((th) => xs[Math.round((th / PI) * 300)]);
      lineplot($(canvas), {
        xr: [0, Math.max(...xs) * 1.05], yr: [lo - pad, hi + pad], xlabel: label, ylabel: "transferability T",
        title: `θ from 0 to π, γ = ${fmt(gamma, 3)}, σ = ${fmt(sigma, 3)}`,
        series: [
          { kind: "line", x: xs, y: tlt, color: PALETTE[0], label: "linear transfer (eq. 11)" },
          { kind: "line", x: xs, y: tft, color: PALETTE[1], label: "fine-tuning (eq. 15)" },
          { kind: "points", x: markedX, y: marked.map((th) => fast("lt_transferability")(th, gamma, sigma)), color: PALETTE[0], hollow: true, label: "θ = 0, π/3, π/2, 2π/3, π" },
          { kind: "points", x: markedX, y: marked.map((th) => fast("ft_transferability")(th, gamma)), color: PALETTE[1], hollow: true },
        ],
      });
    }
    PLOTTED.similarity = { gamma, sigma, theta: thetas, kl, w1, t_lt: tlt, t_ft: tft };
    $("sim-readout").textContent =
      `at θ = π/3: D_KL = ${fmt(kl[100], 5)}, W₁ ≤ ${fmt(w1[100], 5)}, T_lt = ${fmt(tlt[100], 5)}, ` +
      `T_ft = ${fmt(tft[100], 5)}`;
  }

  // ---- 7. ReLU out-of-span norm --------------------------------------------------------------------
  function drawRelu() {
    const profile = $("relu-profile").value;
    const data = DATA.relu[profile];
    lineplot($("relu-canvas"), {
      xr: [0, 1], yr: [0, 1.05], xlabel: "removed fraction μ of teacher neurons",
      ylabel: "‖P⊥f_t‖² / ‖f_t‖²",
      title: `source-teacher span, d = ${data.d}, m* = ${data.teacher_width}`,
      series: [
        { kind: "line", x: data.removed, y: data.fraction, color: PALETTE[0], label: "every removed count k/m*" },
        { kind: "points", x: data.sweep_removed, y: data.sweep_fraction, color: PALETTE[1], label: "the sweep's μ values" },
      ],
    });
    $("relu-readout").textContent =
      `${data.removed.length} fractions; at μ = ${data.sweep_removed[0]}: ` +
      `${fmt(data.sweep_fraction[0], 5)}; teacher seed ${data.seed}`;
    PLOTTED.relu = { profile, ...data };
  }

  // ---- 8. the stored d = 500 simulations ----------------------------------------------------------
  function drawSimulations() {
    const sims = DATA.simulations;
    if (!sims.available) {
      $("sim8-readout").textContent = `no stored simulations: ${sims.reason}`;
      PLOTTED.simulations = { available: false };
      return;
    }
    const theta = number("sim8-theta");
    const sigma = Number(document.querySelector("input[name=sim8-sigma]:checked").value);
    show("sim8-theta", angle(theta));
    const d = sims.d;
    const gammas = midpoints(0, 2, 600);
    const pick = (table) => simulated(table, (t, i) => t.sigma[i] === sigma &&
      (t.theta === undefined || Math.abs(t.theta[i] - theta) < 1e-9));
    const column = (table, rows, key) => rows.map((i) => table[key][i]);
    // the stored cells of a slice: mean ± SE, open where not converged
    const simulatedPoints = (t, rows, ns) => ({
      kind: "points", x: ns.map((n) => n / d), y: column(t, rows, "mean"), err: column(t, rows, "se"),
      color: PALETTE[1], hollow: column(t, rows, "converged").map((c) => !c), label: "simulated mean ± SE",
    });
    const exactPoints = (ns, exact) => ({
      kind: "points", x: ns.map((n) => n / d), y: exact, color: "#000", shape: "diamond", hollow: true, label: "exact at d = 500",
    });
    const slice = (t, rows, ns, extra) => ({ n: ns, mean: column(t, rows, "mean"), se: column(t, rows, "se"), gamma: gammas, ...extra });
    const plotted = { theta, sigma, d };
    // (a) linear transfer
    {
      const t = sims.lt, rows = pick(t);
      const ns = column(t, rows, "n");
      const T = fast("lt_transferability"), TF = fast("lt_transferability_finite");
      evaluate("lt_transferability_finite", { theta, n: ns[0], d, sigma });
      const curve = gammas.map((g) => T(theta, g, sigma));
      const exact = ns.map((n) => TF(theta, n, d, sigma));
      lineplot($("sim8-lt-canvas"), {
        xr: [0, 2], yr: [-1, 1], xlabel: "γ = n/d", ylabel: "T_lt", title: "linear transfer",
        series: [
          { kind: "line", x: gammas, y: curve, color: PALETTE[0], label: "eq. 11" },
          exactPoints(ns, exact),
          simulatedPoints(t, rows, ns),
        ],
      });
      plotted.lt = slice(t, rows, ns, { exact, curve });
    }
    // (b) scratch
    {
      const t = sims.scratch, rows = pick(t);
      const ns = column(t, rows, "n");
      const R = fast("scratch_risk"), RF = fast("scratch_risk_finite");
      evaluate("scratch_risk_finite", { n: ns[0], d, sigma });
      const curve = gammas.map((g) => R(g, sigma));
      const exact = ns.map((n) => RF(n, d, sigma));
      lineplot($("sim8-sc-canvas"), {
        xr: [0, 2], yr: [-0.05, 1.5], xlabel: "γ = n/d", ylabel: "R_sc", title: "scratch training",
        series: [
          { kind: "line", x: gammas, y: curve, color: PALETTE[0], label: "eq. 8" },
          exactPoints(ns, exact),
          simulatedPoints(t, rows, ns),
        ],
      });
      plotted.scratch = slice(t, rows, ns, { exact, curve });
    }
    // (c) fine-tuning
    {
      const t = sims.ft, rows = pick(t);
      const ns = column(t, rows, "n");
      const P = fast("ft_transferability"), B = fast("ft_transferability_balanced");
      evaluate("ft_transferability_balanced", { theta, gamma: gammas[0], sigma });
      const printed = gammas.map((g) => P(theta, g));
      const corrected = gammas.map((g) => B(theta, g, sigma));
      lineplot($("sim8-ft-canvas"), {
        xr: [0, 2], yr: [-1, 1], xlabel: "γ = n/d", ylabel: "T_ft", title: "fine-tuning",
        series: [
          { kind: "line", x: gammas, y: printed, color: PALETTE[0], label: "eq. 15 as printed" },
          { kind: "line", x: gammas, y: corrected, color: PALETTE[2], dash: [6, 3], label: "balancedness-corrected" },
          simulatedPoints(t, rows, ns),
        ],
      });
      plotted.ft = slice(t, rows, ns, { printed, corrected });
    }
    $("sim8-readout").textContent =
      `θ = ${angle(theta)}, σ = ${sigma}, d = ${d}: ${plotted.lt.n.length} linear-transfer, ` +
      `${plotted.scratch.n.length} scratch and ${plotted.ft.n.length} fine-tuning cells; ` +
      "open markers: not converged (see the figures' captions)";
    PLOTTED.simulations = plotted;
  }

  // ---- 9. derivations ------------------------------------------------------------------------------
  function tex(latex, display) {
    return katex.renderToString(latex, { displayMode: display, throwOnError: false, strict: "ignore" });
  }

  function escape(text) {
    return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  }

  function drawDerivation() {
    const name = $("dv-result").value;
    const record = DATA.derivations.results[name];
    const parts = [
      `<h3>${escape(record.title)} <code>${escape(name)}</code></h3>`,
      `<p class="meta">${escape(record.reference)} · ${escape(record.regime)}</p>`,
      "<p><b>Assumptions.</b></p><ul>",
      ...record.assumptions.map((a) => `<li>${escape(a)}</li>`),
      "</ul><ol class=\"steps\">",
    ];
    for (const step of record.steps) {
      parts.push(
        `<li><p>${escape(step.why)}</p>${tex(step.latex, true)}` +
        `<p class="check ${step.verdict}">${escape(step.line)}</p></li>`);
    }
    parts.push("</ol><p><b>Result.</b></p>", tex(record.result, true));
    if (record.printed) {
      parts.push(`<p>As printed in the paper (${escape(record.printed.equation)}):</p>`, tex(record.printed.latex, true));
      if (record.printed.erratum) parts.push(`<p class="erratum"><b>Known erratum.</b> ${escape(record.printed.erratum)}</p>`);
    }
    parts.push(`<p class="summary">${escape(record.summary)}.</p>`);
    $("dv-body").innerHTML = parts.join("\n");
    PLOTTED.derivation = {
      name, steps: record.steps.length,
      rendered: $("dv-body").querySelectorAll(".katex").length,
      errors: $("dv-body").querySelectorAll(".katex-error").length,
      marks: record.steps.map((s) => s.line),
    };
  }

  // ---- start ---------------------------------------------------------------------------------------
  function fillSelect(id, options, value) {
    const select = $(id);
    for (const [key, label] of options) {
      const option = document.createElement("option");
      option.value = key;
      option.textContent = label;
      select.appendChild(option);
    }
    if (value !== undefined) select.value = value;
  }

  function start() {
    const started = performance.now();
    const sims = DATA.simulations;
    fillSelect("rd-n", sims.ridge_n.map((n) => [String(n), `n = ${n} (γ = ${n / sims.d})`]), "250");
    fillSelect("dv-result", Object.entries(DATA.derivations.results).map(([k, r]) => [k, `${k} — ${r.title}`]), "scratch_risk");
    fillSelect("relu-profile", Object.entries(DATA.relu).map(([k, r]) => [k, `${k}: d = ${r.d}, m* = ${r.teacher_width}`]), "paper");
    panel("lt", ["lt-sigma", "lt-theta", "lt-gamma"], drawLinearTransfer);
    panel("scratch", ["sc-sigma", "sc-d", "sc-theta"], drawScratch);
    panel("ft", ["ft-sigma", "ft-theta", "ft-gamma", "ft-balanced", "ft-printed"], drawFineTuning);
    panel("ridge", ["rd-theta", "rd-n", "rd-sigma"], drawRidge);
    panel("fs", ["fs-gamma-s", "fs-sigma-s", "fs-sigma", "fs-balanced", "fs-printed"], drawFiniteSource);
    panel("similarity", ["sim-gamma", "sim-sigma"], drawSimilarity);
    panel("relu", ["relu-profile"], drawRelu);
    panel("simulations", ["sim8-theta", "sim8-sigma-0", "sim8-sigma-0.2"], drawSimulations);
    panel("derivation", ["dv-result"], drawDerivation);
    for (const id of Object.keys(PANELS)) redraw(id);
    const names = Object.keys(EVALUATORS);
    $("evaluator-list").textContent = names.join(", ");
    const omitted = $("omitted-list");
    for (const [name, why] of Object.entries(OMITTED)) {
      const item = document.createElement("li");
      item.innerHTML = `<code>${escape(name)}</code>: ${escape(why)}`;
      omitted.appendChild(item);
    }
    window.fate.ready = true;
    window.fate.startMilliseconds = performance.now() - started;
  }

  window.fate = {
    evaluate,
    names: () => Object.keys(EVALUATORS),
    parameters: (name) => EVALUATORS[name].parameters.map((p) => p.name),
    omitted: () => ({ ...OMITTED }),
    panels: () => Object.keys(PANELS),
    plotted: (id) => PLOTTED[id],
    redraw,
    ready: false,
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
