with source as (

    select * from {{ source('raw_git', 'tags') }}

),

final as (

    select
        {{ stable_id('repository_name', 'tag_name') }} as git_tag_id,
        repository_name,
        tag_name,
        commit_sha,
        {{ stable_id('repository_name', 'commit_sha') }} as git_commit_id,
        is_annotated,
        tagged_at,
        tagger_person_key as tagger_person_id,
        _outcomes_loaded_at as loaded_at
    from source

)

select * from final
