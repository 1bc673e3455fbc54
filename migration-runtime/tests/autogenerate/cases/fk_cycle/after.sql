-- A cycle that comes, and a self reference.
CREATE TABLE team (id integer PRIMARY KEY, owner_id integer);
CREATE TABLE person (
    id integer PRIMARY KEY,
    team_id integer REFERENCES team (id),
    mentor_id integer REFERENCES person (id)
);
ALTER TABLE team ADD CONSTRAINT team_owner_fk FOREIGN KEY (owner_id) REFERENCES person (id);
