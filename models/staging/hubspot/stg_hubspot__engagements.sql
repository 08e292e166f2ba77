with source as (

    select * from {{ source('raw_hubspot', 'engagements') }}

),

{# Contacts and deals deleted (archived) in HubSpot. HubSpot keeps an
   activity when its record is deleted, unassociated from it: so does this. #}
deleted_contacts as (

    select contact_id from {{ source('raw_hubspot', 'contacts') }}
    where coalesce(is_archived, false)

),

deleted_deals as (

    select deal_id from {{ source('raw_hubspot', 'deals') }}
    where coalesce(is_archived, false)

),

final as (

    select
        source.engagement_id,
        lower(source.engagement_type) as engagement_type,
        source.owner_key as owner_account_id,
        source.occurred_at,
        source.created_at,
        case
            when deleted_contacts.contact_id is null then source.contact_id
        end as contact_id,
        case when deleted_deals.deal_id is null then source.deal_id end as deal_id,
        lower(source.meeting_outcome) as meeting_outcome,
        lower(source.call_status) as call_status,
        cast(source.duration_ms as float8) / 3600000.0 as duration_hours,
        source._outcomes_loaded_at as loaded_at
    from source
    left join deleted_contacts
        on source.contact_id = deleted_contacts.contact_id
    left join deleted_deals
        on source.deal_id = deleted_deals.deal_id
    {# Deleted in HubSpot (no longer active): left out. #}
    where coalesce(source.is_active, true)

)

select * from final
