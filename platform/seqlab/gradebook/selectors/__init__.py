"""Reads for grades (see each module): grades.py, what an attempt is worth and which one counts;
book.py, the course gradebook and its total; staff.py, the review queue, audit trail and regrade
progress. Everything is importable from here, as before the module became a folder."""
from seqlab.gradebook.selectors.book import (  # noqa: F401
    CategoryShare, Gradebook, Row, Weights, course_offerings, course_weights, gradebook_for_course, student_sections)
from seqlab.gradebook.selectors.grades import (  # noqa: F401
    GRADES_CACHE_SECONDS, Bands, GradeCell, _pick, cached_grades, final_score, grades_by_offering, grades_stamp,
    grades_stamps, offering_bands, offering_grades, offering_max_points, penalty_factor, pending_manual, raw_score,
    score_bands)
from seqlab.gradebook.selectors.staff import (  # noqa: F401
    AUDIT_PAGE_SIZE, RegradeProgress, ReviewRow, audit_trail, regrade_progress, review_queue)
