{#
    One row per roster person, published: int_people holds the logic (the
    intermediate models that need people read it, not this mart).
#}
select * from {{ ref('int_people') }}
