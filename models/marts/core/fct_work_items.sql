{#
    One row per work item across tools, published: int_work_items holds the
    logic (the intermediate models that need work items read it, not this mart).
#}
select * from {{ ref('int_work_items') }}
