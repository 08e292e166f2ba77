{#
    The GitHub repositories the API loader's sweep found deleted, by name
    (what a pull request, workflow run or deployment names): the rows of
    `raw_repositories` flagged is_deleted whose name no live repository in
    `live_repositories` has taken again. An export without repositories.jsonl
    deletes none. Both relations are passed by the caller, so the model's
    dependencies stay visible where it is read.
#}
{% macro deleted_repositories(raw_repositories, live_repositories) -%}
    select deleted.repository_name
    from {{ raw_repositories }} as deleted
    left join {{ live_repositories }} as live
        on deleted.repository_name = live.repository_name
    where coalesce(deleted.is_deleted, false) and live.repository_name is null
{%- endmacro %}
