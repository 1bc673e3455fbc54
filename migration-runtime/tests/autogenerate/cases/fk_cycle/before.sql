-- A cycle that goes away.
CREATE TABLE shipment (id integer PRIMARY KEY, last_parcel_id integer);
CREATE TABLE parcel (id integer PRIMARY KEY, shipment_id integer REFERENCES shipment (id));
ALTER TABLE shipment ADD CONSTRAINT shipment_last_parcel_fk
    FOREIGN KEY (last_parcel_id) REFERENCES parcel (id);
