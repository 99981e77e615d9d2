"""The page's Jinja2 template, kept in a module so it installs with the code (no package-data entry).

Self-contained on purpose: inline CSS, images by relative file name, no script, no font or CDN fetch.
"""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Onboarding monitor — {{ as_of_text }}</title>
<style>
  body { margin: 0; background: #f1f5f9; color: #0f172a;
         font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC",
               "PingFang SC", "Microsoft YaHei", sans-serif; }
  main { max-width: 1240px; margin: 0 auto; padding: 20px 20px 32px; }
  header { display: flex; align-items: baseline; justify-content: space-between; flex-wrap: wrap; gap: 8px; }
  h1 { font-size: 22px; margin: 0; }
  h2 { font-size: 15px; margin: 0 0 8px; }
  .muted { color: #64748b; font-size: 12px; }
  .tiles { display: grid; grid-template-columns: repeat(6, 1fr); gap: 10px; margin: 14px 0; }
  .tile { background: #fff; border-radius: 8px; padding: 10px 12px; border-top: 4px solid #94a3b8; }
  .tile .value { font-size: 24px; font-weight: 650; }
  .tile .label { color: #475569; font-size: 12px; }
  .grid { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; }
  .card { background: #fff; border-radius: 8px; padding: 14px 16px; min-width: 0; }
  .card img { width: 100%; height: auto; display: block; }
  table { border-collapse: collapse; width: 100%; font-size: 12px; margin-top: 6px; }
  th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid #e2e8f0; vertical-align: top; }
  th { color: #475569; font-weight: 600; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  td.when { white-space: nowrap; }
  .wide { grid-column: 1 / -1; }
  .badge { display: inline-block; padding: 0 6px; border-radius: 9px; color: #fff; font-size: 11px; }
  code { font-size: 11px; background: #f1f5f9; padding: 0 3px; border-radius: 3px; }
  .empty { background: #fff; border-radius: 8px; padding: 48px; text-align: center; margin-top: 16px; }
  .empty p { font-size: 18px; margin: 0 0 6px; }
</style>
</head>
<body>
<main>
<header>
  <h1>Onboarding monitor</h1>
  <span class="muted">as of {{ as_of_text }} · {{ report.total_applications }} application(s)</span>
</header>
{% if report.is_empty %}
<section class="empty">
  <p>No applications yet.</p>
  <span class="muted">Nothing was submitted on or before {{ as_of_text }}. Charts appear once there is data.</span>
</section>
{% else %}
<section class="tiles">
  {% for tile in tiles %}
  <div class="tile" style="border-top-color: {{ tile.colour }}">
    <div class="value">{{ tile.value }}</div><div class="label">{{ tile.label }}</div>
  </div>
  {% endfor %}
</section>
<section class="grid">
  <div class="card">
    <h2>Applications per state</h2>
    {{ image("states") }}
    <table><tr>{% for t in report.by_merchant_type %}<th class="num">{{ t | label }}</th>{% endfor %}</tr>
      <tr>{% for n in report.by_merchant_type.values() %}<td class="num">{{ n }}
        <span class="muted">({{ (100 * n / report.total_applications) | round | int }}%)</span></td>{% endfor %}</tr>
    </table>
  </div>
  <div class="card">
    <h2>Time in each state</h2>
    {{ image("dwell") }}
    <table>
      <tr><th>state</th><th class="num">visits</th><th class="num">still there</th><th class="num">median</th>
          <th class="num">p90</th><th class="num">longest</th></tr>
      {% for d in report.dwell %}
      <tr><td>{{ badge(d.state) }}</td><td class="num">{{ d.visits }}</td><td class="num">{{ d.open_visits }}</td>
          <td class="num">{{ d.median_hours | hours }}</td><td class="num">{{ d.p90_hours | hours }}</td>
          <td class="num">{{ d.max_hours | hours }}</td></tr>
      {% endfor %}
    </table>
    <p class="muted">Each visit to a state counts once; applications still in a state count up to the as-of time.</p>
  </div>
  <div class="card">
    <h2>Deficiency codes</h2>
    {{ image("deficiencies") }}
    {% if report.deficiency_codes %}
    <table>
      <tr><th>code</th><th class="num">latest decision</th><th class="num">any decision</th></tr>
      {% for c in report.deficiency_codes[:top_codes] %}
      <tr><td><code>{{ c.code }}</code></td><td class="num">{{ c.latest }}</td><td class="num">{{ c.ever }}</td></tr>
      {% endfor %}
    </table>
    <p class="muted">Applications counted once per code: “latest” = its latest decision lists the code,
      “any” = one of its decisions did.{% if report.deficiency_codes | length > top_codes %}
      {{ report.deficiency_codes | length - top_codes }} rarer code(s) in the JSON.{% endif %}</p>
    {% else %}<p class="muted">No deficiencies recorded.</p>{% endif %}
  </div>
  <div class="card">
    <h2>Supplementary-material rounds</h2>
    {{ image("rounds") }}
    <h2 style="margin-top:14px">Time to approval</h2>
    {% if report.time_to_approval.count %}{{ image("approval") }}
    <p class="muted">{{ report.time_to_approval.count }} approved: median
      {{ report.time_to_approval.median_hours | hours }}, p90 {{ report.time_to_approval.p90_hours | hours }}
      from submission to the first approval.</p>
    {% else %}<p class="muted">No approvals yet.</p>{% endif %}
  </div>
  <div class="card wide">
    <h2>Complaints and service levels</h2>
    {% if report.complaints.total %}
    <table>
      <tr><th>category</th><th class="num">complaints</th><th class="num">not closed</th></tr>
      {% for c in report.complaints.by_category %}
      <tr><td>{{ c.category }}</td><td class="num">{{ c.total }}</td><td class="num">{{ c.open }}</td></tr>
      {% endfor %}
    </table>
    <table>
      <tr><th>stage</th><th class="num">met on time</th><th class="num">met late</th><th class="num">breached</th>
          <th class="num">pending</th><th class="num">attainment</th><th class="num">median time</th></tr>
      {% for s in report.complaints.service_levels %}
      <tr><td>{{ s.stage }}</td><td class="num">{{ s.met_on_time }}</td><td class="num">{{ s.met_late }}</td>
          <td class="num">{{ s.breached_unmet }}</td><td class="num">{{ s.pending }}</td>
          <td class="num">{% if s.attainment is not none %}{{ (100 * s.attainment) | round(1) }}%{% else %}—{% endif %}</td>
          <td class="num">{{ s.median_hours | hours }}</td></tr>
      {% endfor %}
    </table>
    <p class="muted">Stages: acknowledged (30 min), first answer (24 h), resolved (24 h; 48 h for complex
      categories), as the rule files set them. Attainment: met on time among the stages met or overdue.</p>
    {% else %}<p class="muted">No complaints.</p>{% endif %}
  </div>
  {% for title, rows, who in waiting %}
  <div class="card wide">
    <h2>{{ title }}</h2>
    {% if rows %}
    <table>
      <tr><th>application</th><th>merchant</th><th>type</th><th class="num">waiting</th><th>since</th>
          <th class="num">age</th>
          <th class="num">rounds</th><th>latest codes</th></tr>
      {% for w in rows %}
      <tr><td><code>{{ w.application_id }}</code></td>
          <td>{{ w.business_name }}</td><td>{{ w.merchant_type | label }}</td>
          <td class="num">{{ w.waiting_hours | hours }}</td><td class="when">{{ w.waiting_since | local }}</td>
          <td class="num">{{ w.age_hours | hours }}</td><td class="num">{{ w.request_rounds }}</td>
          <td>{% for c in w.latest_codes %}<code>{{ c }}</code> {% endfor %}</td></tr>
      {% endfor %}
    </table>
    {% else %}<p class="muted">Nobody is waiting on {{ who }}.</p>{% endif %}
  </div>
  {% endfor %}
</section>
{% endif %}
<p class="muted">Generated by <code>onboard report</code>. Numbers: <code>onboard report --json</code>.</p>
</main>
</body>
</html>
"""
