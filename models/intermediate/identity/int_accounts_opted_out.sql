{#
    Every identifier under which an opted-out person appears in a source that
    allows opting out (docs/privacy.md#opt-outs): their tool accounts there (from
    int_accounts_mapped), and their email pseudonym itself, which is how
    calendar, git and GitHub commit authors name people directly. The opt-out
    list already holds only sources whose policy has `opt_out_allowed: true`
    (outcomes/privacy/opt_out.py), so no source is listed here. Read by the
    macro `consented`, the one filter every model applies to staging rows.
#}
with opted_out as (

    select * from {{ ref('stg_privacy__opt_outs') }}

),

accounts as (

    select * from {{ ref('int_accounts_mapped') }}

),

identifiers as (

    select
        opted_out.source_system,
        accounts.account_id,
        opted_out.person_id
    from opted_out
    inner join accounts
        on
            opted_out.source_system = accounts.source_system
            and opted_out.person_id = accounts.person_id

    union all

    select
        source_system,
        person_id as account_id,
        person_id
    from opted_out

),

final as (

    select distinct
        source_system || ':' || account_id as opted_out_account_id,
        source_system,
        account_id,
        person_id
    from identifiers

)

select * from final
