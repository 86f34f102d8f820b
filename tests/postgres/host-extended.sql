-- A host whose schema differs slightly from the seed's (the golden cases
-- through PostgreSQL use it): claims keep their paid date and the carrier's
-- claim id, and a stop-loss reimbursement keeps the claim and claimant it names.
ALTER TABLE claims ADD COLUMN paid_date DATE, ADD COLUMN source_claim_id VARCHAR(50);
ALTER TABLE stop_loss_reimbursements DROP CONSTRAINT stop_loss_reimbursements_claim_id_fkey;
ALTER TABLE stop_loss_reimbursements ALTER COLUMN claim_id TYPE VARCHAR(50);
ALTER TABLE stop_loss_reimbursements ADD COLUMN claimant_number VARCHAR(50);
