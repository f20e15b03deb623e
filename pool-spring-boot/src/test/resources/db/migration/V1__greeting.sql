create table greeting (
    id bigserial primary key,
    text varchar(200) not null unique,
    created timestamptz not null default now()
);
