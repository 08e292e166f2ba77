with source as (

    select * from {{ source('privacy', 'opt_outs') }}

),

final as (

    select
        {{ stable_id('person_key', 'source_system') }} as opt_out_id,
        person_key as person_id,
        source_system
    from source

)

select * from final
