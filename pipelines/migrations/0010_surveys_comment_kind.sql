-- Follow-up comments arrive after their answer as rows of kind 'comment' that carry the
-- answer's response_id (docs/surveys.md); only the column's description changes.
ALTER TABLE survey_responses COMMENT COLUMN kind 'impression, dismiss, answer, or comment (a follow-up comment; response_id is its answer''s)';
