{#
    A portable deterministic pseudo-random number generator in bigint
    arithmetic: the same integers on DuckDB, Postgres and Spark, with no
    engine random() and no md5 per row (docs/forecasts.md#the-random-numbers).

    Every value is an integer in [0, p), p = 2^31 - 1 (a prime). One mixing
    step is the quadratic map x -> x * (x + c) mod p: x < 2^31 and
    x + c < 2^32, so the product stays below 2^63 and never overflows a
    signed bigint. A stream of draws hashes its inputs in turn:
    h = mix(mix(seed) + a) ..., each step applied to a named column (the step
    reads its input twice, so a chain written inline would grow as 2^steps).
#}
{% macro prng_modulus() -%}
    2147483647
{%- endmacro %}

{# One mixing step of an integer expression already in [0, p). #}
{% macro prng_mix(x) -%}
    mod(({{ x }}) * (({{ x }}) + 1013904223), {{ prng_modulus() }})
{%- endmacro %}

{# Folds a non-negative integer into a hash state (then mix it). #}
{% macro prng_add(state, value) -%}
    mod(({{ state }}) + mod({{ value }}, {{ prng_modulus() }}), {{ prng_modulus() }})
{%- endmacro %}

{#
    A draw in [0, n): floor(h * n / p), in integers (exact on every engine;
    a division of a multiple of p, then a cast, so no float rounding).
#}
{% macro prng_below(state, n) -%}
    cast(
        (({{ state }}) * ({{ n }}) - mod(({{ state }}) * ({{ n }}), {{ prng_modulus() }}))
        / {{ prng_modulus() }} as bigint
    )
{%- endmacro %}

{#
    A stable integer in [0, 2^28) from a text value (a team id): the first
    seven hex digits of its md5, read with position() so it is the same on
    every engine. For a few rows (one per team), never per draw.
#}
{% macro prng_text_key(text_expr) -%}
    {%- if adapter is defined -%}
        {%- set hashed = dbt.hash(text_expr) -%}
    {%- else -%}
        {%- set hashed = 'md5(' ~ text_expr ~ ')' -%}
    {%- endif -%}
    {%- set terms = [] -%}
    {%- for i in range(7) -%}
        {%- set digit = "substr(" ~ hashed ~ ", " ~ (i + 1) ~ ", 1)" -%}
        {%- if adapter is defined -%}
            {%- set found = dbt.position(digit, "'0123456789abcdef'") -%}
        {%- else -%}
            {%- set found = "position(" ~ digit ~ " in '0123456789abcdef')" -%}
        {%- endif -%}
        {%- do terms.append("(" ~ found ~ " - 1) * " ~ (16 ** (6 - i))) -%}
    {%- endfor -%}
    cast({{ terms | join(' + ') }} as bigint)
{%- endmacro %}

{#
    prng_mix of an integer known at compile time (the seed), computed by
    Jinja: a literal's SQL type may be a 32-bit integer that the product
    would overflow.
#}
{% macro prng_mix_constant(n) -%}
    {%- set p = 2147483647 -%}
    {%- set x = (n | int) % p -%}
    {{ return((x * (x + 1013904223)) % p) }}
{%- endmacro %}
