-- Any plan: duties under any Roman-numbered part (I-XII), the closing paragraph (KL) or an
-- appendix table (PL); agencies of the 2025 map (xã, phường, đặc khu), public service
-- units, associations, businesses, courts and procuracy, and any other body a plan names.
ALTER TABLE duties DROP CONSTRAINT duties_clause_check;
ALTER TABLE duties ADD CONSTRAINT duties_clause_check
    CHECK (clause ~ '^(I|II|III|IV|V|VI|VII|VIII|IX|X|XI|XII|KL|PL)(\.[0-9a-zđ]+)*$');
ALTER TABLE duties DROP CONSTRAINT duties_section_check;
ALTER TABLE duties ADD CONSTRAINT duties_section_check
    CHECK (section IN ('I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI',
                       'XII', 'KL', 'PL'));
ALTER TABLE agencies DROP CONSTRAINT agencies_kind_check;
ALTER TABLE agencies ADD CONSTRAINT agencies_kind_check CHECK (kind IN (
    'ubnd_tinh', 'van_phong_ubnd', 'so', 'co_quan_chuyen_mon', 'ban_quan_ly', 'ubnd_huyen',
    'mat_tran_doan_the', 'co_quan_dang', 'luc_luong_vu_trang', 'co_quan_bao_chi',
    'co_quan_trung_uong', 'xa_phuong', 'don_vi_su_nghiep', 'hoi', 'doanh_nghiep',
    'co_quan_tu_phap', 'to_chuc_khac'));
