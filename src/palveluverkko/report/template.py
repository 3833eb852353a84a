"""The report's Jinja2 template: one HTML page, CSS inline, no scripts and no external resources."""

from __future__ import annotations

__all__ = ["TEMPLATE"]

TEMPLATE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ t('title') }}: {{ region_name }}</title>
<style>
  :root { --ink: #1d1d1b; --muted: #5b5b57; --line: #d6d5cf; --accent: #1f3b73; }
  * { box-sizing: border-box; }
  body { font-family: "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink);
         margin: 0; background: #f6f5f0; line-height: 1.4; }
  main { max-width: 1100px; margin: 0 auto; padding: 24px; background: white; }
  h1 { font-size: 1.7rem; margin: 0 0 4px; color: var(--accent); }
  h2 { font-size: 1.25rem; margin: 28px 0 8px; border-bottom: 2px solid var(--accent);
       padding-bottom: 3px; }
  h3 { font-size: 1.05rem; margin: 18px 0 6px; }
  .sub { color: var(--muted); margin: 0 0 12px; }
  .description { white-space: pre-line; }
  .synthetic { background: #fff3cd; border: 1px solid #e0b200; padding: 8px 12px;
               font-weight: 600; margin: 10px 0 16px; }
  table { border-collapse: collapse; width: 100%; font-size: 0.9rem; margin: 6px 0 12px; }
  .tw { overflow-x: auto; max-width: 100%; }
  p.shows { font-size: 0.8rem; color: var(--muted); margin: 8px 0 0; font-style: italic; }
  .fig-title { font-weight: 600; margin: 0 0 4px; font-size: 0.95rem; }
  th.meaning, td.meaning { text-align: left; color: var(--muted); font-size: 0.85rem;
                          min-width: 14rem; }
  ul.problems li { margin: 2px 0; }
  th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: right;
           vertical-align: top; }
  th { background: #eeede7; font-weight: 600; }
  th:first-child, td:first-child { text-align: left; }
  td.neg { color: #b00020; }
  tr.total td { font-weight: 600; border-bottom: 2px solid var(--line); }
  p.small { font-size: 0.8rem; color: #555; max-width: 60rem; }
  .council { border: 2px solid var(--accent); padding: 12px 16px; border-radius: 4px; }
  .ok { color: #1a7f37; font-weight: 600; }
  .bad { color: #b00020; font-weight: 600; }
  .maps { display: flex; flex-wrap: wrap; gap: 16px; }
  .maps figure { flex: 0 1 calc(50% - 8px); min-width: 0; }
  @media screen and (max-width: 900px) { .maps figure { flex-basis: 100%; } }
  figure { margin: 0 0 12px; }
  svg { max-width: 100%; height: auto; }
  figcaption { font-size: 0.9rem; color: var(--muted); margin-top: 4px; }
  caption { text-align: left; font-weight: 600; padding: 4px 0; }
  table.words th, table.words td { text-align: left; }
  .notes li { color: var(--muted); font-size: 0.9rem; }
  footer { font-size: 0.8rem; color: var(--muted); margin-top: 28px; }
  @media screen and (max-width: 600px) {
    main { padding: 12px; }
    h1 { font-size: 1.3rem; }
    table { font-size: 0.75rem; }
    th, td { padding: 3px 3px; }
    td.meaning { min-width: 9rem; }
  }
  @media print {
    body { background: white; font-size: 9.5pt; }
    main { max-width: none; padding: 0; }
    .tw { overflow: visible; }
    table { font-size: 8pt; }
    th, td { padding: 2px 3px; }
    th.meaning, td.meaning { font-size: inherit; min-width: 0; }
    thead { display: table-header-group; }
    tr, figure { page-break-inside: avoid; break-inside: avoid; }
    h2, h3, .fig-title, p.shows, p.sub { page-break-after: avoid; break-after: avoid; }
    .maps { display: block; }
    .maps figure { width: 100%; }
    .maps figure { display: block; }
    figure svg { max-height: 98mm; width: auto; max-width: 100%; display: block; }
  }
  @page { size: A4; margin: 14mm; }
</style>
</head>
<body>
<main>
<h1>{{ t('title') }}: {{ region_name }}</h1>
<p class="sub">{{ t('year') }} {{ (other or base).year }} ·
  {{ t('residents') }} {{ residents }}{% if other %} ·
  {{ t('scenario') }}: <strong>{{ other.scenario.name }}</strong>{% endif %}</p>
{% if synthetic %}<p class="synthetic">{{ t('synthetic') }}</p>{% endif %}
{% if approximate %}<p class="synthetic">{{ approximate }}</p>{% endif %}

<section class="council">
<h2>{{ t('council_page') }}</h2>
{% if multi %}
{% for blk in blocks %}{% if blk.other.scenario.description %}
<p class="description"><strong>{{ blk.name }}:</strong> {{ blk.other.scenario.description }}</p>
{% endif %}{% endfor %}
<p class="shows">{{ shows_all }} {{ t('side_by_side_note') }}</p>
<div class="tw"><table>
<thead><tr><th>{{ t('figure') }}</th><th>{{ t('baseline') }}</th>
{% for blk in blocks %}<th>{{ blk.name }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in side_by_side %}<tr>{% for cell in row %}<td>{{ cell | nb }}</td>{% endfor %}</tr>
{% endfor %}
</tbody></table></div>
<p class="small">{{ t('sign_convention') }}</p>
{% elif other %}
{% set blk = blocks[0] %}
{% if other.scenario.description %}
<p class="description">{{ other.scenario.description }}</p>{% endif %}
<p class="shows">{{ blk.shows['both'] }}</p>
<div class="tw"><table>
<thead><tr><th>{{ t('figure') }}</th><th>{{ t('baseline') }}</th><th>{{ t('scenario') }}</th>
<th>{{ t('change') }}</th></tr></thead>
<tbody>
{% for row in blk.headline %}<tr>{% for cell in row %}<td>{{ cell | nb }}</td>{% endfor %}</tr>
{% endfor %}
</tbody></table></div>
<p class="small">{{ t('sign_convention') }}</p>
{% else %}
{% set blk = blocks[0] %}
<p class="shows">{{ blk.shows['baseline'] }}</p>
<div class="tw"><table>
<thead><tr><th>{{ t('service') }}</th><th>{{ t('within30_car') }}</th>
<th>{{ t('within30_bus') }}</th><th>{{ t('mean_car') }}</th><th>{{ t('worst_car') }}</th>
<th>{{ t('unreachable_car') }}</th><th>{{ t('digital_share') }}</th></tr></thead>
<tbody>
{% for row in blk.service_rows %}<tr>{% for cell in row %}<td>{{ cell | nb }}</td>{% endfor %}</tr>
{% endfor %}
</tbody></table></div>
{% endif %}
{% if problems %}<h3>{{ t('problems') }}</h3>
<ul class="problems">{% for p in problems %}<li>{{ p }}</li>{% endfor %}</ul>{% endif %}
{% if unreachable_note %}<p class="bad">{{ unreachable_note }}</p>{% endif %}
<h3>{{ t('municipality_rule') }}</h3>
{% for blk in blocks %}
{% set prefix = blk.name ~ ': ' if multi else '' %}
{% if blk.rule_broken %}<p class="bad">{{ prefix }}
{{- t('rule_broken', names=', '.join(blk.rule_broken)) }}</p>
{% else %}<p class="ok">{{ prefix }}{{ t('rule_kept') }}</p>{% endif %}
{% endfor %}
</section>
{% for blk in blocks %}{% if blk.other %}
<h3>{{ t('closed_sites') }}{% if multi %}: {{ blk.name }}{% endif %}</h3>
{% if blk.substitutes %}
<p class="shows">{{ blk.shows['scenario'] }}</p>
<div class="tw"><table>
<thead><tr><th>{{ t('closed_site') }}</th><th>{{ t('substitute') }}</th><th>{{ t('service') }}</th>
<th>{{ t('residents_nearest') }}</th><th>{{ t('of_whom_75') }}</th><th>{{ t('car_before') }}</th>
<th>{{ t('car_after') }}</th><th>{{ t('bus_after') }}</th></tr></thead>
<tbody>
{% for row in blk.substitutes %}<tr>{% for cell in row %}<td>{{ cell | nb }}</td>{% endfor %}</tr>
{% endfor %}
</tbody></table></div>
{% else %}<p>{{ t('no_closures') }}</p>{% endif %}
{% if blk.service_drops %}
<h3>{{ t('service_drops') }}{% if multi %}: {{ blk.name }}{% endif %}</h3>
<p class="shows">{{ blk.shows['scenario'] }}</p>
<div class="tw"><table>
<thead><tr><th>{{ t('site') }}</th><th>{{ t('service') }}</th>
<th>{{ t('residents_nearest') }}</th><th>{{ t('of_whom_75') }}</th>
<th>{{ t('capacity_week') }}</th><th>{{ t('capacity_goes_to') }}</th></tr></thead>
<tbody>
{% for row in blk.service_drops %}<tr>{% for cell in row %}<td>{{ cell | nb }}</td>{% endfor %}</tr>
{% endfor %}
</tbody></table></div>
{% endif %}
{% endif %}{% endfor %}

<h2>{{ t('maps') }}</h2>
<div class="maps">
{% for m in maps %}<figure>
<p class="fig-title">{{ t('figure_n', n=loop.index) }}. {{ m.title }}</p>
{{ m.svg | safe_svg }}
<figcaption>{{ m.caption }}</figcaption></figure>
{% endfor %}
</div>
<figure>
<p class="fig-title">{{ t('figure_n', n=maps | length + 1) }}. {{ chart_title }}</p>
{{ chart | safe_svg }}
<figcaption>{{ shows_all }}</figcaption></figure>

<h2>{{ t('services') }}</h2>
{% for blk in blocks %}
{% if multi %}<h3>{{ blk.name }}</h3>{% endif %}
<p class="shows">{{ blk.shows['both'] if blk.other else blk.shows['baseline'] }}</p>
<div class="tw"><table>
<thead><tr><th>{{ t('service') }}</th><th>{{ t('within30_car') }}</th>
<th>{{ t('within30_bus') }}</th><th>{{ t('mean_car') }}</th><th>{{ t('worst_car') }}</th>
<th>{{ t('unreachable_car') }}</th><th>{{ t('digital_share') }}</th></tr></thead>
<tbody>
{% for row in blk.service_rows %}<tr>{% for cell in row %}<td>{{ cell | nb }}</td>{% endfor %}</tr>
{% endfor %}
</tbody></table></div>
{% endfor %}

<h2>{{ t('municipalities') }}: {{ service_name }}</h2>
{% for blk in blocks %}
{% if multi %}<h3>{{ blk.name }}</h3>{% endif %}
<p class="shows">{{ blk.shows['both'] if blk.other else blk.shows['baseline'] }}</p>
<div class="tw"><table>
<thead><tr><th>{{ t('municipality') }}</th><th>{{ t('residents') }}</th>
<th>{{ t('within30_car') }}</th>
<th>{{ t('within30_bus') }}</th><th>{{ t('mean_car') }}</th><th>{{ t('worst_car') }}</th>
<th>{{ t('keeps_site') }}</th></tr></thead>
<tbody>
{% for row in blk.municipality_rows %}<tr>
{%- for cell in row %}<td>{{ cell | nb }}</td>{% endfor %}</tr>
{% endfor %}
</tbody></table></div>
{% endfor %}

<h2>{{ t('equity') }}: {{ service_name }}</h2>
<p class="sub">{{ t('equity_intro') }}</p>
<p class="shows">{{ shows_all }}</p>
<div class="tw"><table>
<thead><tr><th></th><th>{{ t('baseline') }}</th>
{% if multi %}{% for blk in blocks %}<th>{{ blk.name }}</th>{% endfor %}
{% elif other %}<th>{{ t('scenario') }}</th><th>{{ t('change') }}</th>{% endif %}
<th class="meaning">{{ t('eq_meaning') }}</th></tr></thead>
<tbody>
{% for row in equity_rows %}<tr>{% for cell in row[:-1] %}<td>{{ cell | nb }}</td>{% endfor %}
<td class="meaning">{{ row[-1] }}</td></tr>
{% endfor %}
</tbody></table></div>

<h2>{{ t('capacity') }}: {{ service_name }}</h2>
{% for blk in blocks %}
{% if multi %}<h3>{{ blk.name }}</h3>{% endif %}
{% if blk.capacity_available %}
<p class="shows">{{ blk.shows['scenario'] }}</p>
<div class="tw"><table>
<thead><tr><th>{{ t('site') }}</th><th>{{ t('contacts_week') }}</th>
<th>{{ t('capacity_week') }}</th><th>{{ t('utilisation') }}</th><th>{{ t('wait_days') }}</th>
<th>{{ t('within_target') }}</th></tr>
</thead>
<tbody>
{% for row in blk.capacity_rows %}<tr>{% for cell in row %}<td>{{ cell | nb }}</td>{% endfor %}</tr>
{% endfor %}
</tbody></table></div>
{% if blk.capacity_estimated %}<p class="small">{{ t('estimated_note') }}</p>{% endif %}
{% else %}<p>{{ t('capacity_missing') }}</p>{% endif %}
{% endfor %}
<p class="small">{{ t('capacity_note') }}</p>

{% for s in sections %}
<section id="{{ s.key }}">
<h2>{{ s.title }}</h2>
{% for p in s.paragraphs %}<p>{{ p }}</p>
{% endfor %}
{% for f in s.figures %}<figure class="map">{{ f | safe_svg }}</figure>
{% endfor %}
{% for tb in s.tables %}<div class="tw"><table{% if tb.text %} class="words"{% endif %}>
<caption>{{ tb.caption }}</caption>
<thead><tr>{% for h in tb.headers %}<th>{{ h }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in tb.rows %}<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}
</tbody></table></div>
{% endfor %}
</section>
{% endfor %}

<h2>{{ t('costs') }}</h2>
{% for blk in blocks %}
{% if multi %}<h3>{{ blk.name }}</h3>{% endif %}
{% if blk.cost_rows %}
<p class="shows">{{ blk.shows['change'] if blk.other else blk.shows['baseline'] }}</p>
<div class="tw"><table>
<thead><tr><th>{{ t('component') }}</th>
{% for y in blk.cost_years %}<th>{{ y }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in blk.cost_rows %}<tr{% if row[0].startswith('Σ') %} class="total"{% endif %}>
{% for cell in row %}<td>{{ cell | nb }}</td>{% endfor %}</tr>
{% endfor %}
</tbody></table></div>
{% else %}<p>{{ t('costs_missing') }}</p>{% endif %}
{% endfor %}
<p class="small">{{ blocks[0].cost_note }}{% if others %} {{ t('sign_convention') }}{% endif %}</p>

{% if notes %}<h2>{{ t('notes') }}</h2>
<ul class="notes">{% for n in notes %}<li>{{ n }}</li>{% endfor %}</ul>{% endif %}

<h2>{{ t('method') }}</h2>
<p>{{ method_text }}</p>
<footer>
<p>{{ t('credits') }}:</p>
<ul class="credits">{% for c in credits %}<li>{{ c }}</li>{% endfor %}</ul>
<p>{{ t('generated') }}.</p>
</footer>
</main>
</body>
</html>
"""
