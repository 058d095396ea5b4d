su postgres -s /bin/sh -c "psql -XAtc \"select datname, pg_get_userbyid(datdba), pg_encoding_to_char(encoding) from pg_database order by 1\""
su postgres -s /bin/sh -c "psql -XAtc \"select rolname, rolcreatedb, rolsuper, rolpassword is not null from pg_authid where rolname = 'app'\""
