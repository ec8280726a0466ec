-- Full tiles of the Merkle tree, as C2SP tlog-tiles lays them out (c2sp.org/tlog-tiles): the 256
-- hashes of one stored level (level 0 = the leaf hashes, then levels 8, 16, ...) for indexes
-- idx * 256 .. idx * 256 + 255, concatenated. A proof reads each tile it needs as one row instead
-- of 256 rows of audit_events; the right edge, which is never a full tile, is still read from
-- audit_events.leaf_hash and audit_tree_nodes. Written by the append that fills the tile.
-- (level is the tree level here, as in audit_tree_nodes, not tlog-tiles' tile level L = level / 8.)
CREATE TABLE audit_tree_tiles (
    level  SMALLINT NOT NULL,
    idx    BIGINT   NOT NULL,
    hashes BYTEA    NOT NULL,
    PRIMARY KEY (level, idx),
    CONSTRAINT audit_tree_tiles_level CHECK (level >= 0 AND level % 8 = 0),
    CONSTRAINT audit_tree_tiles_width CHECK (octet_length(hashes) = 256 * 32)
);
-- Hashes do not compress: store them out of line as they are.
ALTER TABLE audit_tree_tiles ALTER COLUMN hashes SET STORAGE EXTERNAL;

-- Append-only like the other audit tables (V1).
CREATE TRIGGER audit_tree_tiles_no_change BEFORE UPDATE OR DELETE ON audit_tree_tiles
    FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change();
CREATE TRIGGER audit_tree_tiles_no_truncate BEFORE TRUNCATE ON audit_tree_tiles
    FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change();
ALTER TABLE audit_tree_tiles ENABLE ALWAYS TRIGGER audit_tree_tiles_no_change;
ALTER TABLE audit_tree_tiles ENABLE ALWAYS TRIGGER audit_tree_tiles_no_truncate;
REVOKE ALL ON audit_tree_tiles FROM PUBLIC;
GRANT SELECT, INSERT ON audit_tree_tiles TO ${app_role};

-- The tiles of the history written before this table existed (after the triggers: the DDL guard
-- refuses DDL on an audit table once it holds rows).
INSERT INTO audit_tree_tiles (level, idx, hashes)
SELECT 0, (seq - 1) / 256, string_agg(leaf_hash, ''::bytea ORDER BY seq)
  FROM audit_events GROUP BY (seq - 1) / 256 HAVING count(*) = 256;
INSERT INTO audit_tree_tiles (level, idx, hashes)
SELECT level, idx / 256, string_agg(hash, ''::bytea ORDER BY idx)
  FROM audit_tree_nodes GROUP BY level, idx / 256 HAVING count(*) = 256;
