/* reorient_muscle: what the reward can read at every control step (25 Hz).
 * World frame: z up, metres, radians. Quaternions are (w, x, y, z).
 * The cube (6 cm, held at its centre by a ball joint: it can turn but not fall)
 * sits below a hand of three fingers with three hinge joints each. Every joint is moved
 * by two muscles pulling against each other: muscle 2j turns joint j toward its lower
 * limit, muscle 2j+1 toward its upper limit (joint j: finger j/3; j%3 = 0 side, 1 base,
 * 2 mid). Muscles only pull; a muscle's force follows its activation, which lags its
 * excitation by 10-40 ms. */
#define N_FINGERS 3
#define N_JOINTS 9
#define N_MUSCLES 18
#define CUBE_HALF_SIZE 0.03      /* m: the cube's faces are 3 cm from its centre */
#define SUCCESS_ANGLE 0.4        /* rad: the episode succeeds if it ends closer than this */
#define MUSCLE_MAX_FORCE 2.0     /* N m: a fully active muscle's peak tension at its best length */

typedef struct env_state {
    double cube_quat[4];         /* cube orientation, world frame */
    double goal_quat[4];         /* goal orientation for the cube, world frame */
    double cube_angvel[3];       /* cube angular velocity, world frame, rad/s */
    double cube_pos[3];          /* cube centre, world frame, m (fixed) */
    double fingertip_pos[N_FINGERS][3]; /* fingertip sphere centres, world frame, m */
    double joint_pos[N_JOINTS];  /* finger joint angles, rad (finger f: joints 3f..3f+2) */
    double joint_vel[N_JOINTS];  /* finger joint velocities, rad/s */
    double excitation[N_MUSCLES]; /* this step's muscle excitations (the action), each in
                                     [0, 1]; action 0 = 0.5 on every muscle */
    double activation[N_MUSCLES]; /* muscle activations now, each in [0, 1] */
    double muscle_force[N_MUSCLES]; /* muscle tensions now, N m (torque about the muscle's
                                       joint), >= 0, at most about 1.2 x MUSCLE_MAX_FORCE */
    int step;                    /* control step within the episode, 0..74 */
} env_state;
