{#
    The KPI models fct_team_kpis_weekly unions, checked against the catalog.

    dbt needs a model's refs when it parses the project, before any seed is
    read, so the mart names its KPI models in its own SQL. This macro makes
    that list and the catalog one fact: when the mart is built it reads
    kpi_catalog.model_name and stops with a message naming every model the
    catalog lists that the mart does not union, and every model the mart
    unions that no catalog row names. `make lint` (outcomes/lint_manifest.py)
    checks the same against the model files, before anything is built.
#}
{% macro kpi_models_in_catalog(kpi_models) -%}
    {#- A unit test renders the mart against fixture rows: nothing to read. -#}
    {%- if execute and model.resource_type != 'unit_test' -%}
        {%- set catalog = load_relation(ref('kpi_catalog')) -%}
        {%- if catalog is not none -%}
            {%- set listed = run_query(
                "select distinct model_name from " ~ catalog ~ " where model_name is not null"
            ).columns[0].values() | list -%}
            {%- set missing = listed | reject('in', kpi_models) | list | sort -%}
            {%- set unlisted = kpi_models | reject('in', listed) | list | sort -%}
            {%- if missing or unlisted -%}
                {{ exceptions.raise_compiler_error(
                    "fct_team_kpis_weekly and seed kpi_catalog disagree: "
                    ~ ("the catalog names " ~ missing | join(', ')
                        ~ ", which the mart does not union (add it to kpi_models); "
                        if missing else "")
                    ~ ("the mart unions " ~ unlisted | join(', ')
                        ~ ", which no catalog row names (add its rows to seeds/kpis/kpi_catalog.csv)"
                        if unlisted else "")
                ) }}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(kpi_models) }}
{%- endmacro %}
