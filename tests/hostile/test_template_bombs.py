"""Template bombs: a shop's template cannot make a render take long or grow large."""

from __future__ import annotations

import time

import pytest

from app.notify.templates import render, sample_context, validate_template

BOMBS = {
    "nested ranges": "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "three small nested ranges": "{% for i in range(99) %}{% for j in range(99) %}{% for k in range(99) %}"
                                 "{% endfor %}{% endfor %}{% endfor %}",
    "string times a big number": "{{ 'x' * 10000000 }}",
    "list times a big number": "{{ [1, 2] * 10000000 }}",
    "doubling by concatenation": "{% set x = 'xxxxxxxxxxxxxxxx' %}" + "{% set x = x ~ x %}" * 40 + "{{ x }}",
    "doubling by plus": "{% set x = 'xxxxxxxxxxxxxxxx' %}" + "{% set x = x + x %}" * 40 + "{{ x }}",
    "wide printf": "{{ '%999999999d' % 1 }}",
    "wide printf star": "{{ '%*d' % (999999999, 1) }}",
    "wide format": "{{ '{:>999999999}'.format(1) }}",
    "wide format argument": "{{ '{0:>{1}}'.format(1, 999999999) }}",
    "wide filter": "{{ 'x'|center(999999999) }}",
    "wide method": "{{ 'x'.ljust(999999999) }}",
    "replace chain": "{{ 'x'" + "|replace('x', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx')" * 8 + " }}",
    "macro recursion": "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}",
    "macro fan-out": "{% macro a() %}{% for i in range(99) %}{{ b() }}{% endfor %}{% endmacro %}"
                     "{% macro b() %}{% for i in range(99) %}{{ c() }}{% endfor %}{% endmacro %}"
                     "{% macro c() %}{% for i in range(99) %}x{% endfor %}{% endmacro %}{{ a() }}",
    "huge power": "{{ 99 ** 99999999 }}",
    "deep nesting": "{{ " + "(" * 400 + "1" + ")" * 400 + " }}",
}


@pytest.mark.parametrize("source", BOMBS.values(), ids=BOMBS.keys())
def test_a_template_bomb_is_refused_quickly(source):
    started = time.perf_counter()
    problems = validate_template(source, "delivered")
    assert problems and time.perf_counter() - started < 0.5, problems


def test_a_bomb_that_only_goes_off_for_a_real_name_stops_at_the_bound():
    source = ("{% if first_name|length > 6 %}{% for i in range(99) %}{% for j in range(99) %}"
              "{% for k in range(99) %}{% endfor %}{% endfor %}{% endfor %}{% endif %}Hi {{ first_name }}")
    context = {**sample_context("delivered"), "first_name": "Alexandra"}
    started = time.perf_counter()
    with pytest.raises(Exception, match="loop steps"):
        render("delivered", "en", context, source)
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize("source", [
    "{% for line in slot_lines %}{{ loop.index }}. {{ line }} {% endfor %}{{ tracking_url }}",
    "{{ '%s, %d min' % (shop_name, 15) }} {{ '{} x'.format(shop_name) }} {{ shop_name|center(30) }}",
    "{{ ('-' * 10) ~ shop_name ~ ('-' * 10) }} {{ tracking_url }}",
])
def test_ordinary_template_code_still_works(source):
    assert validate_template(source, "slot_offer") == []


def test_a_render_past_the_deadline_costs_one_killed_helper_not_the_web_process():
    from app.shops.template_runner import TemplateRunner

    hurried = TemplateRunner(size=1, deadline=0.0)  # no render can finish in no time
    try:
        assert hurried.run("check", "{{ shop_name }}", "delivered", "en") == ("timeout", None)
        hurried.deadline = 10.0
        outcome, result = hurried.run("check", "{{ shop_name }}", "delivered", "en")
        assert outcome == "ok" and result["preview"] == "Bloemenhuis Jansen"  # a fresh helper took over
    finally:
        hurried.close()
