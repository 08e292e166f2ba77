{#
    The rows of a staging relation whose person did not opt out (docs/privacy.md
    "Opt-outs"): the one filter between staging and every model above it.
    Renders a derived table over what the caller passes, and nothing else: the
    model imports the opt-out list itself, so its dependencies are all in view.

        accounts_opted_out as (
            select * from {{ ref('int_accounts_opted_out') }}
        ),

        pull_requests as (
            select * from {{ consented(
                ref('stg_github__pull_requests'),
                'author_account_id',
                source_system='github',
                opted_out='accounts_opted_out'
            ) }}
        ),

    A row is dropped when one of `person_columns` holds an identifier of an
    opted-out person in `source_system` (int_accounts_opted_out: their accounts
    there, and their email pseudonym). Which columns make a row someone's is
    decided per staging model and documented in macros/_macros.yml (macro
    `consented`).
#}
{% macro consented(relation, person_columns, source_system=none, opted_out=none) -%}
    {%- if source_system is none or opted_out is none -%}
        {{ exceptions.raise_compiler_error(
            "consented(" ~ relation ~ "): pass source_system (the relation's source) "
            ~ "and opted_out (the model's import CTE of int_accounts_opted_out)") }}
    {%- endif -%}
    {%- set columns = [person_columns] if person_columns is string else person_columns -%}
    (
        select consented_rows.*
        from {{ relation }} as consented_rows
        where not exists (
            select 1
            from {{ opted_out }} as opted_out
            where
                opted_out.source_system = '{{ source_system }}'
                and opted_out.account_id in (
                    consented_rows.{{ columns | join(', consented_rows.') }}
                )
        )
    ) as consented_rows
{%- endmacro %}
