-- A small plan written straight into the seed schema, as the host
-- application would: the Python and Node doors read it with load_postgres.
-- Client A's figures for 2025-Q1, by hand:
--   claims 1000.00 + 150.25 + 2500.50 = 3650.75 gross (3 claim rows);
--   30 member months -> gross PMPM 3650.75 / 30 = 121.69;
--   one reimbursement of 500.00 on P2's claim.
-- Client B shares claimant number P1; its 99999.00 never reaches A.
INSERT INTO clients (client_id, name) VALUES
  ('aaaaaaaa-0000-4000-8000-00000000000a', 'Acme'),
  ('bbbbbbbb-0000-4000-8000-00000000000b', 'Bolt');
INSERT INTO users (user_id, email, name, role, client_id) VALUES
  ('cccccccc-0000-4000-8000-00000000000c', 'ann@acme.test', 'Ann', 'consultant', 'aaaaaaaa-0000-4000-8000-00000000000a');
INSERT INTO uploads (upload_id, client_id, file_name, uploaded_by, file_hash, status, record_count) VALUES
  ('dddddddd-0000-4000-8000-00000000000d', 'aaaaaaaa-0000-4000-8000-00000000000a', 'claims.csv',
   'cccccccc-0000-4000-8000-00000000000c', repeat('0', 64), 'completed', 3);
INSERT INTO claims (claim_id, client_id, upload_id, claimant_number, claim_date, claim_type, service_type,
                    service_category, icd_code, medical_desc, layman_term, medical_amount, pharmacy_amount, total_amount) VALUES
  ('00000000-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-00000000000a', 'dddddddd-0000-4000-8000-00000000000d',
   'P1', '2025-01-10', 'medical', 'Office Visit', 'Outpatient', 'I10', 'Hypertension', 'High blood pressure', 1000.00, 0, 1000.00),
  ('00000000-0000-4000-8000-000000000002', 'aaaaaaaa-0000-4000-8000-00000000000a', 'dddddddd-0000-4000-8000-00000000000d',
   'P1', '2025-02-03', 'pharmacy', 'Retail', 'Pharmacy', 'I10', 'Hypertension', 'High blood pressure', 0, 150.25, 150.25),
  ('00000000-0000-4000-8000-000000000003', 'aaaaaaaa-0000-4000-8000-00000000000a', 'dddddddd-0000-4000-8000-00000000000d',
   'P2', '2025-03-15', 'medical', 'Inpatient Stay', 'Inpatient', 'J18.9', 'Pneumonia', 'Pneumonia', 2500.50, 0, 2500.50),
  ('00000000-0000-4000-8000-000000000004', 'bbbbbbbb-0000-4000-8000-00000000000b', NULL,
   'P1', '2025-01-12', 'medical', 'Inpatient Stay', 'Inpatient', 'I21.4', 'NSTEMI', 'Heart attack', 99999.00, 0, 99999.00);
INSERT INTO budgets (client_id, year, month, budget_medical, budget_pharmacy, budget_admin, total_budget) VALUES
  ('aaaaaaaa-0000-4000-8000-00000000000a', 2025, 1, 4000.00, 800.00, 200.00, 5000.00),
  ('aaaaaaaa-0000-4000-8000-00000000000a', 2025, 2, 4000.00, 800.00, 200.00, 5000.00),
  ('aaaaaaaa-0000-4000-8000-00000000000a', 2025, 3, 4000.00, 800.00, 200.00, 5000.00);
INSERT INTO enrollments (client_id, year, month, member_count, employee_count) VALUES
  ('aaaaaaaa-0000-4000-8000-00000000000a', 2025, 1, 10, 5),
  ('aaaaaaaa-0000-4000-8000-00000000000a', 2025, 2, 10, 5),
  ('aaaaaaaa-0000-4000-8000-00000000000a', 2025, 3, 10, 5),
  ('bbbbbbbb-0000-4000-8000-00000000000b', 2025, 1, 99, 50);
INSERT INTO stop_loss_reimbursements (client_id, claim_id, amount, paid_date, carrier) VALUES
  ('aaaaaaaa-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-000000000003', 500.00, '2025-03-20', 'Summit Re');
